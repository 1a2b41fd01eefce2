import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointNotFoundError } from '../errors/checkpoint-not-found-error.js';
import { CorruptCheckpointError } from '../errors/corrupt-checkpoint-error.js';
import { saveRecaCheckpoint } from '../reca-step/reca-checkpoint.js';
import { createRecaTrainingState } from '../reca-step/reca-training-state.js';
import { MockUnifiedModel } from '../test/mock-unified-model.js';
import { loadModelCheckpoint, readModelCheckpointInfo, saveModelCheckpoint } from './model-checkpoint.js';

let folder: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = await mkdtemp(join(tmpdir(), 'reca-model-checkpoint-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('model checkpoints', () => {
  it('round-trip every weight with the family, adapter, id and config, leaking nothing', async () => {
    const model = new MockUnifiedModel({ seed: 3, width: 8 });
    const path = join(folder, 'mock.safetensors');
    await saveModelCheckpoint(path, model, { produced_by: 'test' });
    const info = await readModelCheckpointInfo(path);
    expect(info).toMatchObject({ family: 'mock', adapter: '@reca/core/test', modelId: model.modelId, extra: { produced_by: 'test' } });
    expect(info.config).toMatchObject({ width: 8, seed: 3 });

    const before = tf.memory().numTensors;
    const checkpoint = await loadModelCheckpoint(path);
    const restored = new MockUnifiedModel(checkpoint.config as never);
    restored.loadNamedWeights(Object.fromEntries(checkpoint.weights));
    for (const [name, tensor] of Object.entries(model.namedWeights())) {
      expect(Array.from(restored.namedWeights()[name]?.dataSync() ?? []), name).toEqual(Array.from(tensor.dataSync()));
    }
    tf.dispose([...checkpoint.weights.values()]);
    restored.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects a missing file and a training checkpoint with errors naming the path', async () => {
    await expect(readModelCheckpointInfo(join(folder, 'absent.safetensors'))).rejects.toSatisfy(CheckpointNotFoundError.isInstance);
    const model = new MockUnifiedModel({ seed: 1 });
    const state = createRecaTrainingState({ model });
    const path = join(folder, 'training.safetensors');
    await saveRecaCheckpoint(path, state);
    const error = await loadModelCheckpoint(path).catch((caught: unknown) => caught);
    expect(CorruptCheckpointError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/training\.safetensors.*reca-training-checkpoint/);
    state.dispose();
    model.dispose();
  });
});
