import { createRecaTrainingState, reconstructionInstructions, recaStep } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';
import { contrastiveAlignmentLoss } from '@reca/understanding';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMaskedAutoregressiveUmm } from './create-masked-autoregressive-umm.js';

const captions = ['a red circle.', 'a blue square.', 'a green triangle.', 'a yellow circle and a cyan square.'];

function testImages(count: number, size: number): tf.Tensor4D {
  const random = new SeededRandom(9);
  return tf.tidy(() => random.uniformTensor([count, size, size, 3], 0, 1) as tf.Tensor4D);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('MaskedAutoregressiveUmm.doAlignmentLoss', () => {
  it("'mar-encoder': InfoNCE of the RecA condition built from the MAR-encoder features against the caption condition", async () => {
    const model = createMaskedAutoregressiveUmm({ preset: 'tiny', seed: 1 });
    const images = testImages(4, model.understanding.minimumImageSize);
    const result = model.doAlignmentLoss({ images, captions, random: new SeededRandom(5) });
    const draw = new SeededRandom(5);
    const texts = captions.map(() => draw.choice(reconstructionInstructions));
    const reference = tf.tidy(() => {
      const embeddings = model.doEncodeUnderstanding({ images, training: false });
      const common = { dropText: undefined, dropUnderstanding: undefined, training: false };
      const reca = model.doBuildCondition({ texts, understandingEmbeddings: embeddings, ...common });
      const caption = model.doBuildCondition({ texts: captions, understandingEmbeddings: undefined, ...common });
      return contrastiveAlignmentLoss(reca, caption, { temperature: 0.07 });
    });
    const [value, expected] = [(await result.loss.data())[0] as number, (await reference.data())[0] as number];
    expect(value).toBeCloseTo(expected, 5);
    tf.dispose([images, result.loss, reference]);
    model.dispose();
  });

  it('trains through recaStep: the alignment gradient reaches the MAR encoder (scaled) and the text side', async () => {
    const model = createMaskedAutoregressiveUmm({ preset: 'tiny', seed: 2 });
    const state = createRecaTrainingState({ model, seed: 0, config: { lossWeights: { reconstruction: 0, imageToText: 0, alignment: 1 }, optimizer: { learningRate: 1e-2 } } });
    const images = testImages(4, model.imageSize);
    const snapshot = () => Object.fromEntries(model.trainableVariables().map(([name, variable]) => [name, Array.from(variable.dataSync())]));
    const before = snapshot();
    const batches = [{ kind: 'alignment' as const, images, captions }];
    const first = await recaStep(state, { batches });
    expect(Number.isFinite(first.losses.alignment)).toBe(true);
    const after = snapshot();
    const tensorsBefore = tf.memory().numTensors;
    await recaStep(state, { batches });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const changed = (prefix: string) =>
      Object.keys(before).some((name) => name.startsWith(prefix) && before[name]?.some((value, index) => value !== after[name]?.[index]));
    expect(changed('text.')).toBe(true);
    expect(changed('mar.')).toBe(true);
    tf.dispose(images);
    state.dispose();
    model.dispose();
  });
});
