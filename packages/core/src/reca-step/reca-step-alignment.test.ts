import { InvalidArgumentError, tf } from '@reca/runtime';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeConformanceImages } from '../test/make-conformance-images.js';
import { MockUnifiedModel } from '../test/mock-unified-model.js';
import type { UnifiedModelV1AlignmentLossOptions } from '../unified-model/v1/unified-model-v1-call-options.js';
import type { UnifiedModelV1LossResult } from '../unified-model/v1/unified-model-v1-results.js';
import { disposeCondition } from '../unified-model/v1/unified-model-v1-condition.js';
import { degradeImages } from './degrade-images.js';
import { recaStep } from './reca-step.js';
import { createRecaTrainingState } from './reca-training-state.js';

const fastConfig = { optimizer: { learningRate: 1e-2 }, schedule: { type: 'constant' as const, warmupSteps: 0 } };
const captions = ['a red image', 'a blue image', 'a green image', 'a cyan image'];
const disposables: Array<{ dispose(): void }> = [];
function track<T extends { dispose(): void }>(value: T): T {
  disposables.push(value);
  return value;
}

/**
 * A symmetric-free InfoNCE between the mean-pooled understanding embeddings of the images and the mean-pooled text
 * conditions of their captions (rows: images, columns: captions, targets on the diagonal). Uses only the mock's public
 * methods, so the same function serves as the model's `doAlignmentLoss` and as the independent reference.
 */
function mockAlignmentLoss(model: MockUnifiedModel, images: tf.Tensor4D, texts: readonly string[]): tf.Scalar {
  return tf.tidy(() => {
    const imagePooled = tf.mean(model.doEncodeUnderstanding({ images, training: true }), 1); // [b, width]
    const condition = model.doBuildCondition({ texts, understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: true });
    const textPooled = tf.mean(condition.embeddings, 1); // [b, width]
    disposeCondition(condition);
    const logits = tf.matMul(imagePooled, textPooled, false, true); // [b, b]
    const targets = tf.oneHot(tf.range(0, texts.length, 1, 'int32'), texts.length).toFloat();
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}

/** The mock with a `doAlignmentLoss` that records what it was called with. */
function withAlignment(model: MockUnifiedModel): { model: MockUnifiedModel; calls: Array<{ shape: number[]; captions: readonly string[] }> } {
  const calls: Array<{ shape: number[]; captions: readonly string[] }> = [];
  const spy = Object.create(model) as MockUnifiedModel & { doAlignmentLoss(options: UnifiedModelV1AlignmentLossOptions): UnifiedModelV1LossResult };
  spy.doAlignmentLoss = ({ images, captions: texts }) => {
    calls.push({ shape: images.shape, captions: texts });
    return { loss: mockAlignmentLoss(model, images, texts), normalization: 'samples', warnings: [] };
  };
  return { model: spy, calls };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  while (disposables.length) disposables.pop()?.dispose();
});

describe('recaStep with alignment micro-batches', () => {
  it('mixes the alignment loss by weight, on bottlenecked images, and its value matches an independent computation', async () => {
    const base = track(new MockUnifiedModel({ seed: 3 }));
    const { model, calls } = withAlignment(base);
    const state = track(createRecaTrainingState({ model, config: { ...fastConfig, lossWeights: { alignment: 0.5 } }, seed: 0 }));
    const images = track(makeConformanceImages(4, base.imageSize, 1));
    const degraded = track(degradeImages(images, { type: 'resize' }, base.understanding.minimumImageSize));
    const expected = mockAlignmentLoss(base, degraded, captions);
    const expectedValue = (await expected.data())[0] as number;
    expected.dispose();

    const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }, { kind: 'alignment', images, captions }] });
    expect(calls).toEqual([{ shape: [4, base.understanding.minimumImageSize, base.understanding.minimumImageSize, 3], captions }]);
    expect(result.losses.alignment).toBeCloseTo(expectedValue, 5);
    expect(result.microBatches).toBe(2);
    expect(result.loss).toBeCloseTo(((result.losses.reconstruction as number) + 0.5 * expectedValue) / 2, 5);
  });

  it('alignment alone trains: its loss falls over steps, and no tensor is left behind', async () => {
    const base = track(new MockUnifiedModel({ seed: 4 }));
    const { model } = withAlignment(base);
    const config = { ...fastConfig, optimizer: { learningRate: 5e-2 }, lossWeights: { alignment: 1 } };
    const state = track(createRecaTrainingState({ model, config, seed: 0 }));
    const images = track(makeConformanceImages(4, base.imageSize, 2));
    await recaStep(state, { batches: [{ kind: 'alignment', images, captions }] });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      losses.push((await recaStep(state, { batches: [{ kind: 'alignment', images, captions }] })).losses.alignment as number);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) * 0.7);
  });

  it('weight 0 (the default) skips the micro-batch with a warning and never calls doAlignmentLoss', async () => {
    const base = track(new MockUnifiedModel({ seed: 5 }));
    const { model, calls } = withAlignment(base);
    const state = track(createRecaTrainingState({ model, config: fastConfig, seed: 0 }));
    expect(state.config.lossWeights.alignment).toBe(0);
    const images = track(makeConformanceImages(4, base.imageSize, 3));
    const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }, { kind: 'alignment', images, captions }] });
    expect(calls).toHaveLength(0);
    expect(result.losses.alignment).toBeUndefined();
    expect(result.microBatches).toBe(1);
    expect(result.warnings).toContainEqual(expect.objectContaining({ type: 'skipped-micro-batch', kind: 'alignment' }));
  });

  it('rejects alignment batches for a model without doAlignmentLoss, and batches of one image', async () => {
    const model = track(new MockUnifiedModel({ seed: 6 }));
    const state = track(createRecaTrainingState({ model, config: { ...fastConfig, lossWeights: { alignment: 1 } }, seed: 0 }));
    const images = track(makeConformanceImages(4, model.imageSize, 4));
    await expect(recaStep(state, { batches: [{ kind: 'alignment', images, captions }] })).rejects.toThrow(/has no alignment loss.*lossWeights\.alignment/);
    const single = track(makeConformanceImages(1, model.imageSize, 5));
    const error = await recaStep(state, { batches: [{ kind: 'alignment', images: single, captions: ['a red image'] }] }).catch((caught: unknown) => caught);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/at least 2 images/);
    expect(state.step).toBe(0);
  });
});
