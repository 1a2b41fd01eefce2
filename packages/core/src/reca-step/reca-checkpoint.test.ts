import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointNotFoundError } from '../errors/checkpoint-not-found-error.js';
import { CorruptCheckpointError } from '../errors/corrupt-checkpoint-error.js';
import { makeConformanceImages } from '../test/make-conformance-images.js';
import { MockUnifiedModel } from '../test/mock-unified-model.js';
import { loadRecaCheckpoint, saveRecaCheckpoint } from './reca-checkpoint.js';
import { recaStep } from './reca-step.js';
import { createRecaTrainingState, type RecaTrainingState } from './reca-training-state.js';
import type { RecaConfigInput } from './reca-config.js';

const config: RecaConfigInput = {
  optimizer: { learningRate: 5e-3 },
  schedule: { type: 'cosine', warmupSteps: 2, totalSteps: 10 },
  conditionDropout: { type: 'null-prompt', probability: 0.3 },
  ema: { decay: 0.9 },
};

let folder: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = await mkdtemp(join(tmpdir(), 'reca-checkpoint-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function steps(state: RecaTrainingState, images: tf.Tensor4D, count: number): Promise<number[]> {
  const losses: number[] = [];
  const captions = Array.from({ length: images.shape[0] }, (_, index) => (index % 2 ? 'a red image' : 'a blue image'));
  for (let step = 0; step < count; step++) {
    const result = await recaStep(state, {
      batches: [
        { kind: 'reconstruction', images },
        { kind: 'image-to-text', images, captions },
      ],
    });
    losses.push(result.loss);
  }
  return losses;
}

describe('RecA checkpoints', () => {
  it('resume exactly: a run stopped and resumed gives the same losses as an uninterrupted one', async () => {
    const images = makeConformanceImages(3, 8, 4);
    const uninterruptedModel = new MockUnifiedModel({ seed: 1 });
    const uninterrupted = createRecaTrainingState({ model: uninterruptedModel, config, seed: 7 });
    const expected = await steps(uninterrupted, images, 6);

    const firstModel = new MockUnifiedModel({ seed: 1 });
    const first = createRecaTrainingState({ model: firstModel, config, seed: 7 });
    const head = await steps(first, images, 3);
    const path = join(folder, 'resume.safetensors');
    await saveRecaCheckpoint(path, first, { extra: { sampler: '{"cursor":3}' } });

    const resumedModel = new MockUnifiedModel({ seed: 99 }); // different initial weights: the checkpoint must overwrite them
    const resumed = createRecaTrainingState({ model: resumedModel, config, seed: 12345 });
    const tensorsBefore = tf.memory().numTensors;
    const { extra } = await loadRecaCheckpoint(path, resumed);
    expect(extra).toEqual({ sampler: '{"cursor":3}' });
    expect(resumed.step).toBe(3);
    expect(resumed.optimizer.iterations).toBe(3);
    const tail = await steps(resumed, images, 3);
    expect([...head, ...tail]).toEqual(expected);
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(tensorsBefore); // moments now exist; nothing freed twice

    const emaUninterrupted = uninterrupted.ema?.getState() ?? {};
    const emaResumed = resumed.ema?.getState() ?? {};
    for (const [name, tensor] of Object.entries(emaUninterrupted)) {
      expect(Array.from((emaResumed[name] as tf.Tensor).dataSync()), name).toEqual(Array.from(tensor.dataSync()));
    }
    for (const state of [uninterrupted, first, resumed]) state.dispose();
    for (const model of [uninterruptedModel, firstModel, resumedModel]) model.dispose();
    images.dispose();
  });

  it('rejects a checkpoint of another model, a missing file and a corrupt file with clear errors', async () => {
    const model = new MockUnifiedModel({ seed: 2 });
    const state = createRecaTrainingState({ model, config });
    const path = join(folder, 'mock8.safetensors');
    await saveRecaCheckpoint(path, state);
    const otherModel = new MockUnifiedModel({ seed: 2, imageSize: 16 });
    const other = createRecaTrainingState({ model: otherModel, config });
    await expect(loadRecaCheckpoint(path, other)).rejects.toThrow(/holds a mock model 'mock-8px-w16'.*'mock-16px-w16'/);

    await expect(loadRecaCheckpoint(join(folder, 'absent.safetensors'), state)).rejects.toSatisfy(CheckpointNotFoundError.isInstance);
    const corrupt = join(folder, 'corrupt.safetensors');
    await writeFile(corrupt, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    const error = await loadRecaCheckpoint(corrupt, state).catch((caught: unknown) => caught);
    expect(CorruptCheckpointError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toContain(corrupt);
    for (const disposable of [state, other, model, otherModel]) disposable.dispose();
  });
});
