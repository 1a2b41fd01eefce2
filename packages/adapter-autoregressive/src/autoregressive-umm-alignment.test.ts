import { createRecaTrainingState, degradeImages, reconstructionInstructions, recaStep } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { testTokenizer } from './__fixtures__/test-tokenizer.js';
import { createAutoregressiveUmm } from './create-autoregressive-umm.js';

const captions = ['a red circle.', 'a blue square.', 'a green triangle.', 'a yellow circle and a cyan square .'];

function testImages(count: number, size: number): tf.Tensor4D {
  const random = new SeededRandom(9);
  return tf.tidy(() => random.uniformTensor([count, size, size, 3], 0, 1) as tf.Tensor4D);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('AutoregressiveUmm.doAlignmentLoss', () => {
  it("equals the stack's alignment loss with the instructions drawn from the same stream", async () => {
    const model = createAutoregressiveUmm({ preset: 'tiny', tokenizer: testTokenizer(), seed: 1 });
    const images = testImages(4, model.understanding.minimumImageSize);
    const result = model.doAlignmentLoss({ images, captions, random: new SeededRandom(5) });
    const draw = new SeededRandom(5);
    const instruction = captions.map(() => draw.choice(reconstructionInstructions));
    const reference = model.stack.alignmentLoss({ images, captions, instruction });
    const [value, expected] = [(await result.loss.data())[0] as number, (await reference.loss.data())[0] as number];
    expect(value).toBeCloseTo(expected, 6);
    // InfoNCE of near-random conditions starts near ln(batch).
    expect(value).toBeGreaterThan(0.3 * Math.log(4));
    expect(value).toBeLessThan(3 * Math.log(4));
    tf.dispose([images, result.loss, reference.loss]);
    model.dispose();
  });

  it('trains through recaStep (weight > 0) on bottlenecked images and leaks no tensor', async () => {
    const model = createAutoregressiveUmm({ preset: 'tiny', tokenizer: testTokenizer(), seed: 2 });
    const state = createRecaTrainingState({ model, seed: 0, config: { lossWeights: { reconstruction: 1, alignment: 0.5 }, optimizer: { learningRate: 1e-3 } } });
    const images = testImages(4, model.imageSize);
    const batches = [{ kind: 'reconstruction' as const, images }, { kind: 'alignment' as const, images, captions }];
    await recaStep(state, { batches });
    const before = tf.memory().numTensors;
    const result = await recaStep(state, { batches });
    expect(tf.memory().numTensors).toBe(before);
    const degraded = degradeImages(images, state.config.bottleneck, model.understanding.minimumImageSize);
    expect(degraded.shape).toEqual([4, model.understanding.minimumImageSize, model.understanding.minimumImageSize, 3]);
    expect(Number.isFinite(result.losses.alignment)).toBe(true);
    expect(result.loss).toBeCloseTo(((result.losses.reconstruction as number) + 0.5 * (result.losses.alignment as number)) / 2, 5);
    tf.dispose([images, degraded]);
    state.dispose();
    model.dispose();
  });
});
