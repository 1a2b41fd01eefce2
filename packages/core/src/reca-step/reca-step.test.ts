import { tf } from '@reca/runtime';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NonFiniteLossError } from '../errors/non-finite-loss-error.js';
import { UnsupportedModelVersionError } from '../errors/unsupported-model-version-error.js';
import { makeConformanceImages } from '../test/make-conformance-images.js';
import { MockUnifiedModel } from '../test/mock-unified-model.js';
import type { UnifiedModelV1BuildConditionOptions } from '../unified-model/v1/unified-model-v1-call-options.js';
import type { UnifiedMultimodalModelV1 } from '../unified-model/v1/unified-model-v1.js';
import { parseRecaConfig } from './reca-config.js';
import { recaStep } from './reca-step.js';
import { createRecaTrainingState, type RecaTrainingState } from './reca-training-state.js';
import { reconstructionInstructions } from './reconstruction-instructions.js';

const fastConfig = { optimizer: { learningRate: 1e-2 }, schedule: { type: 'constant' as const, warmupSteps: 0 } };
const disposables: Array<{ dispose(): void }> = [];
function track<T extends { dispose(): void }>(value: T): T {
  disposables.push(value);
  return value;
}

/** A model that records every doBuildCondition call and otherwise behaves like the mock. */
function spyOn(model: MockUnifiedModel): { model: UnifiedMultimodalModelV1; calls: UnifiedModelV1BuildConditionOptions[] } {
  const calls: UnifiedModelV1BuildConditionOptions[] = [];
  const spy = Object.create(model) as MockUnifiedModel;
  spy.doBuildCondition = (options) => {
    calls.push(options);
    return model.doBuildCondition(options);
  };
  return { model: spy, calls };
}

function weightsOf(model: UnifiedMultimodalModelV1): Record<string, number[]> {
  return Object.fromEntries(Object.entries(model.namedWeights()).map(([name, tensor]) => [name, Array.from(tensor.dataSync())]));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  while (disposables.length) disposables.pop()?.dispose();
});

describe('recaStep', () => {
  it('trains a tiny mock UMM: reconstruction and understanding losses both fall', async () => {
    const model = track(new MockUnifiedModel({ seed: 0 }));
    const state = track(createRecaTrainingState({ model, config: fastConfig, seed: 0 }));
    const images = track(makeConformanceImages(4, model.imageSize, 0));
    const captions = ['a red image', 'a blue image', 'a green image', 'a cyan image'];
    const history: Array<{ reconstruction: number; understanding: number }> = [];
    for (let step = 0; step < 60; step++) {
      const result = await recaStep(state, {
        batches: [
          { kind: 'reconstruction', images },
          { kind: 'image-to-text', images, captions },
        ],
      });
      history.push({ reconstruction: result.losses.reconstruction as number, understanding: result.losses['image-to-text'] as number });
      expect(result.step).toBe(step + 1);
      expect(result.microBatches).toBe(2);
      expect(result.learningRate).toBeCloseTo(1e-2, 10);
    }
    const first = history[0] as { reconstruction: number; understanding: number };
    const last = history.at(-1) as { reconstruction: number; understanding: number };
    expect(last.reconstruction).toBeLessThan(first.reconstruction * 0.6);
    expect(last.understanding).toBeLessThan(first.understanding * 0.8);
  });

  it('is reproducible: same seeds give identical losses', async () => {
    const run = async () => {
      const model = track(new MockUnifiedModel({ seed: 2 }));
      const state = track(createRecaTrainingState({ model, config: { ...fastConfig, conditionDropout: { type: 'null-prompt', probability: 0.5 } }, seed: 9 }));
      const images = track(makeConformanceImages(2, model.imageSize, 3));
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) losses.push((await recaStep(state, { batches: [{ kind: 'reconstruction', images }] })).loss);
      return losses;
    };
    expect(await run()).toEqual(await run());
  });

  it('draws instructions from the pool, applies the bottleneck and the configured dropout', async () => {
    const base = track(new MockUnifiedModel({ seed: 1 }));
    const { model, calls } = spyOn(base);
    const images = track(makeConformanceImages(3, base.imageSize, 0));

    const none = track(createRecaTrainingState({ model, config: { ...fastConfig, conditionDropout: { type: 'none' } } }));
    await recaStep(none, { batches: [{ kind: 'reconstruction', images }] });
    const call = calls.at(-1) as UnifiedModelV1BuildConditionOptions;
    expect(call.texts).toHaveLength(3);
    for (const text of call.texts) expect(reconstructionInstructions).toContain(text);
    // the default bottleneck resizes to the lowest understanding resolution: 4×4 cells → 16 tokens
    expect(call.understandingEmbeddings?.shape).toEqual([3, base.understanding.minimumImageSize ** 2, base.config.width]);
    expect(call.dropText).toEqual([false, false, false]);

    const dropText = track(createRecaTrainingState({ model, config: { ...fastConfig, conditionDropout: { type: 'drop-text', probability: 1 } } }));
    await recaStep(dropText, { batches: [{ kind: 'reconstruction', images }] });
    expect(calls.at(-1)?.dropText).toEqual([true, true, true]);
    expect(calls.at(-1)?.dropUnderstanding).toEqual([false, false, false]);

    const nullPrompt = track(createRecaTrainingState({ model, config: { ...fastConfig, conditionDropout: { type: 'null-prompt', probability: 1 } } }));
    await recaStep(nullPrompt, { batches: [{ kind: 'reconstruction', images }] });
    expect(calls.at(-1)?.texts).toEqual([base.nullPrompt, base.nullPrompt, base.nullPrompt]);
    expect(calls.at(-1)?.understandingEmbeddings).toBeDefined();
  });

  it('stops the step on a non-finite loss, naming step and part, and leaves weights and optimizer untouched', async () => {
    const base = track(new MockUnifiedModel({ seed: 4 }));
    const images = track(makeConformanceImages(2, base.imageSize, 1));
    const state = track(createRecaTrainingState({ model: base, config: fastConfig }));
    await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });

    const broken = Object.create(base) as MockUnifiedModel;
    broken.doGenerationLoss = (options) => {
      const result = base.doGenerationLoss(options);
      return { ...result, loss: tf.tidy(() => tf.mul(result.loss, Number.NaN) as tf.Scalar) };
    };
    const brokenState: RecaTrainingState = { ...state, model: broken, dispose: () => undefined };
    const weightsBefore = weightsOf(base);
    const momentsBefore = Object.fromEntries(Object.entries(state.optimizer.getState()).map(([name, tensor]) => [name, Array.from(tensor.dataSync())]));
    const randomBefore = state.random.getState();
    const error = await recaStep(brokenState, { batches: [{ kind: 'reconstruction', images }] }).catch((caught: unknown) => caught);
    expect(NonFiniteLossError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/reconstruction/);
    expect((error as NonFiniteLossError).step).toBe(2);
    expect(weightsOf(base)).toEqual(weightsBefore);
    expect(
      Object.fromEntries(Object.entries(state.optimizer.getState()).map(([name, tensor]) => [name, Array.from(tensor.dataSync())])),
    ).toEqual(momentsBefore);
    expect(brokenState.step).toBe(1);
    expect(state.optimizer.iterations).toBe(1);
    expect(state.random.getState()).toEqual(randomBefore);
  });

  it('trains understanding through a scaled gradient but not through a stopped one', async () => {
    const changedUnderstanding = async (understandingGradient: { type: 'stop' } | { type: 'scale'; scale: number }) => {
      const model = track(new MockUnifiedModel({ seed: 5 }));
      const state = track(
        createRecaTrainingState({ model, config: { ...fastConfig, understandingGradient, lossWeights: { imageToText: 0 } } }),
      );
      const images = track(makeConformanceImages(2, model.imageSize, 2));
      const before = weightsOf(model)['understanding.proj.weight'];
      await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
      return JSON.stringify(weightsOf(model)['understanding.proj.weight']) !== JSON.stringify(before);
    };
    expect(await changedUnderstanding({ type: 'stop' })).toBe(false);
    expect(await changedUnderstanding({ type: 'scale', scale: 0.1 })).toBe(true);
  });

  it('skips zero-weight micro-batches with a warning and rejects a step where every weight is zero', async () => {
    const model = track(new MockUnifiedModel({ seed: 6 }));
    const images = track(makeConformanceImages(2, model.imageSize, 1));
    const state = track(createRecaTrainingState({ model, config: fastConfig }));
    const result = await recaStep(state, {
      batches: [
        { kind: 'reconstruction', images },
        { kind: 'text-to-image', images, prompts: ['a red image', 'a blue image'] },
      ],
    });
    expect(result.microBatches).toBe(1);
    expect(result.warnings.some((warning) => warning.type === 'skipped-micro-batch')).toBe(true);
    await expect(
      recaStep(state, { batches: [{ kind: 'text-to-image', images, prompts: ['a red image', 'a blue image'] }] }),
    ).rejects.toThrow(/loss weight 0/);
  });

  it('mixes a text-to-image batch when its weight is set', async () => {
    const model = track(new MockUnifiedModel({ seed: 7 }));
    const images = track(makeConformanceImages(2, model.imageSize, 1));
    const state = track(createRecaTrainingState({ model, config: { ...fastConfig, lossWeights: { textToImage: 0.5 } } }));
    const result = await recaStep(state, {
      batches: [
        { kind: 'reconstruction', images },
        { kind: 'text-to-image', images, prompts: ['a red image', 'a blue image'] },
      ],
    });
    const reconstruction = result.losses.reconstruction as number;
    const textToImage = result.losses['text-to-image'] as number;
    expect(result.loss).toBeCloseTo((reconstruction + 0.5 * textToImage) / 2, 5);
  });

  it('reports a collapse warning when the reconstruction loss plunges', async () => {
    const base = track(new MockUnifiedModel({ seed: 10 }));
    const images = track(makeConformanceImages(2, base.imageSize, 1));
    let call = 0;
    const copying = Object.create(base) as MockUnifiedModel;
    copying.doGenerationLoss = (options) => {
      // a loss that drops 50-fold after 20 steps, as when a model starts copying its condition
      const factor = call++ < 20 ? 1 : 0.02;
      const result = base.doGenerationLoss(options);
      return { ...result, loss: tf.tidy(() => tf.mul(result.loss, factor) as tf.Scalar) };
    };
    const state = track(
      createRecaTrainingState({
        model: copying,
        config: { ...fastConfig, optimizer: { learningRate: 1e-6 }, collapseDetection: { windowSize: 4, minimumSteps: 8, dropRatio: 0.2 } },
      }),
    );
    const collapseSteps: number[] = [];
    for (let step = 0; step < 30; step++) {
      const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
      if (result.warnings.some((warning) => warning.type === 'collapse')) collapseSteps.push(result.step);
    }
    expect(collapseSteps).toHaveLength(1);
    expect(collapseSteps[0]).toBeGreaterThan(20);
    expect(collapseSteps[0]).toBeLessThanOrEqual(24);
  });

  it('awaits an asynchronous understanding encoder when the gradient is stopped', async () => {
    const base = track(new MockUnifiedModel({ seed: 11, understandingTrainable: false }));
    const images = track(makeConformanceImages(2, base.imageSize, 1));
    const reference = track(createRecaTrainingState({ model: base, config: fastConfig, seed: 4 }));
    const expected = (await recaStep(reference, { batches: [{ kind: 'reconstruction', images }] })).loss;

    const other = track(new MockUnifiedModel({ seed: 11, understandingTrainable: false }));
    let asyncCalls = 0;
    // The mock has no asynchronous encoder; this one adds it (the optional member of UnifiedMultimodalModelV1).
    const asynchronous = Object.create(other) as MockUnifiedModel & Pick<UnifiedMultimodalModelV1, 'doEncodeUnderstandingAsync'>;
    asynchronous.doEncodeUnderstanding = () => {
      throw new Error('the synchronous encoder must not be called');
    };
    asynchronous.doEncodeUnderstandingAsync = async (options) => {
      asyncCalls++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      return other.doEncodeUnderstanding(options);
    };
    const state = track(createRecaTrainingState({ model: asynchronous, config: fastConfig, seed: 4 }));
    const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
    expect(asyncCalls).toBe(1);
    expect(result.loss).toBeCloseTo(expected, 6);
  });

  it('warns on the first step when there is no information bottleneck', async () => {
    const model = track(new MockUnifiedModel({ seed: 9 }));
    const images = track(makeConformanceImages(2, model.imageSize, 1));
    const open = track(createRecaTrainingState({ model, config: { ...fastConfig, bottleneck: { type: 'none' } } }));
    expect(open.configurationWarnings).toHaveLength(1);
    const first = await recaStep(open, { batches: [{ kind: 'reconstruction', images }] });
    expect(first.warnings.find((warning) => warning.type === 'configuration')?.message).toMatch(/no information bottleneck.*8 px/);
    const second = await recaStep(open, { batches: [{ kind: 'reconstruction', images }] });
    expect(second.warnings.some((warning) => warning.type === 'configuration')).toBe(false);
    const closed = track(createRecaTrainingState({ model, config: fastConfig }));
    expect(closed.configurationWarnings).toEqual([]);
  });

  it('rejects bad input with errors that name the problem', async () => {
    const model = track(new MockUnifiedModel({ seed: 8 }));
    const images = track(makeConformanceImages(2, model.imageSize, 1));
    expect(() => createRecaTrainingState({ model: { ...model, specificationVersion: 'v9' } })).toThrow(UnsupportedModelVersionError);
    expect(() => parseRecaConfig({ optimizer: { learningRate: -1 } })).toThrow(/config\.optimizer\.learningRate/);
    expect(() => parseRecaConfig({ bottleneck: { type: 'downscale-upscale', factor: 1 } })).toThrow(/config\.bottleneck\.factor/);
    const state = track(createRecaTrainingState({ model, config: fastConfig }));
    await expect(recaStep(state, { batches: [] })).rejects.toThrow(/at least one micro-batch/);
    await expect(
      recaStep(state, { batches: [{ kind: 'image-to-text', images, captions: ['only one caption'] }] }),
    ).rejects.toThrow(/captions.*1 entries for 2 images/);
  });
});
