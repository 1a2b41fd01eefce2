import { reconstructionInstructions } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDiffusionUmm } from './create-diffusion-umm.js';

const captions = ['a red circle.', 'a blue square.', 'a green triangle.', 'a yellow circle and a cyan square.'];

function testImages(count: number, size: number): tf.Tensor4D {
  const random = new SeededRandom(9);
  return tf.tidy(() => random.uniformTensor([count, size, size, 3], 0, 1) as tf.Tensor4D);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Training an alignment micro-batch through recaStep is checked by the conformance suite for every adapter.
describe('DiffusionUmm.doAlignmentLoss', () => {
  it("equals the stack's alignment loss with the instructions drawn from the same stream", async () => {
    const model = createDiffusionUmm({ preset: 'tiny', seed: 1 });
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
});
