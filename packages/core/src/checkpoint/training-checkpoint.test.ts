import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, SeededRandom, type SeededRandomState, tf } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointNotFoundError } from '../errors/checkpoint-not-found-error.js';
import { CorruptCheckpointError } from '../errors/corrupt-checkpoint-error.js';
import { UnsupportedCheckpointVersionError } from '../errors/unsupported-checkpoint-version-error.js';
import { decodeSafetensors } from './decode-safetensors.js';
import { encodeSafetensors } from './encode-safetensors.js';
import { loadTrainingCheckpoint } from './load-training-checkpoint.js';
import { readCheckpointMetadata } from './read-checkpoint-metadata.js';
import type { SafetensorsTensor } from './safetensors-dtype.js';
import { readSafetensorsFile, readSafetensorsHeader, writeSafetensorsFile } from './safetensors-file.js';
import { saveTrainingCheckpoint, type TrainingCheckpointInput } from './save-training-checkpoint.js';

let directory: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  directory = await mkdtemp(join(tmpdir(), 'reca-checkpoint-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const config = { model: { width: 8, layers: [2, 2], name: 'tiny' }, optimizer: { learningRate: 1e-5, betas: [0.9, 0.95] }, ema: null, bf16: false };

/** A small checkpoint with seeded float32 weights, an int32 table, a bool mask and optimizer moments. */
function makeCheckpoint(random: SeededRandom, step: number): TrainingCheckpointInput {
  return {
    modelWeights: new Map<string, tf.Tensor>([
      ['decoder.layers.0.weight', tf.tensor2d(random.normalArray(12), [3, 4])],
      ['decoder.layers.0.bias', tf.tensor1d(random.normalArray(4))],
      ['tokenizer.merges', tf.tensor1d([-(2 ** 31), 7, 2 ** 31 - 1], 'int32')],
      ['attention.causal_mask', tf.tensor([true, false, false, true], [2, 2], 'bool')],
    ]),
    optimizerState: {
      'decoder.layers.0.weight.exp_avg': tf.tensor2d(random.normalArray(12, 0, 1e-3), [3, 4]),
      'decoder.layers.0.weight.exp_avg_sq': tf.tensor2d(random.uniformArray(12, 0, 1e-6), [3, 4]),
      step: tf.scalar(step, 'int32'),
    },
    step,
    randomState: random.getState(),
    config,
    extra: { note: 'unit test', 'git.commit': 'abc123' },
  };
}

type TensorCollection = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;
const tensorsOf = (collection: TensorCollection): tf.Tensor[] =>
  collection instanceof Map ? [...collection.values()] : Object.values(collection as Readonly<Record<string, tf.Tensor>>);

function disposeCheckpoint(checkpoint: { modelWeights: TensorCollection; optimizerState: TensorCollection }): void {
  tf.dispose([...tensorsOf(checkpoint.modelWeights), ...tensorsOf(checkpoint.optimizerState)]);
}

async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('saveTrainingCheckpoint / loadTrainingCheckpoint', () => {
  it('saves and loads tensors, step, random state, config and extra exactly, with no leaked tensors', async () => {
    const path = join(directory, 'exact.safetensors');
    const random = new SeededRandom(42);
    const input = makeCheckpoint(random, 1200);
    const tensorsBefore = tf.memory().numTensors;
    await saveTrainingCheckpoint(path, input);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const loaded = await loadTrainingCheckpoint(path);
    expect(tf.memory().numTensors).toBe(tensorsBefore + 7);
    expect(loaded.step).toBe(1200);
    expect(loaded.config).toEqual(config);
    expect(loaded.extra).toEqual({ note: 'unit test', 'git.commit': 'abc123' });
    expect(loaded.formatVersion).toBe('1');
    expect(loaded.library).toBe('@reca/core');

    const originalModel = input.modelWeights as Map<string, tf.Tensor>;
    expect(new Set(loaded.modelWeights.keys())).toEqual(new Set(originalModel.keys()));
    for (const [name, original] of originalModel) {
      const restored = loaded.modelWeights.get(name) as tf.Tensor;
      expect([restored.dtype, restored.shape]).toEqual([original.dtype, original.shape]);
      expect(await restored.data()).toEqual(await original.data());
    }
    const originalOptimizer = input.optimizerState as Record<string, tf.Tensor>;
    expect(Object.keys(loaded.optimizerState).sort()).toEqual(Object.keys(originalOptimizer).sort());
    for (const [name, original] of Object.entries(originalOptimizer)) {
      const restored = loaded.optimizerState[name];
      expect([restored.dtype, restored.shape]).toEqual([original.dtype, original.shape]);
      expect(await restored.data()).toEqual(await original.data());
    }

    // The random stream resumes exactly where it was saved.
    const resumed = SeededRandom.fromState(loaded.randomState as unknown as SeededRandomState);
    expect(resumed.uniformArray(5)).toEqual(random.uniformArray(5));

    disposeCheckpoint(loaded);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    disposeCheckpoint(input);
  });

  it('writes a plain safetensors file: prefixed names, string metadata, F32/I32/BOOL', async () => {
    const path = join(directory, 'layout.safetensors');
    const input = makeCheckpoint(new SeededRandom(1), 3);
    await saveTrainingCheckpoint(path, input);
    const file = await readSafetensorsFile(path);
    expect(file.metadata).toEqual({
      format: 'reca-training-checkpoint',
      format_version: '1',
      library: '@reca/core',
      step: '3',
      random_state: JSON.stringify((input.randomState as SeededRandomState)),
      config: JSON.stringify(config),
      'extra.note': 'unit test',
      'extra.git.commit': 'abc123',
    });
    expect([...file.tensors].map(([name, tensor]) => `${name}:${tensor.dtype}`)).toEqual([
      // Reference layout: F32 first, then I32, then BOOL; by name within a dtype.
      'model.decoder.layers.0.bias:F32',
      'model.decoder.layers.0.weight:F32',
      'optimizer.decoder.layers.0.weight.exp_avg:F32',
      'optimizer.decoder.layers.0.weight.exp_avg_sq:F32',
      'model.tokenizer.merges:I32',
      'optimizer.step:I32',
      'model.attention.causal_mask:BOOL',
    ]);
    disposeCheckpoint(input);
  });

  it('readCheckpointMetadata reads the header only and creates no tensors', async () => {
    const path = join(directory, 'metadata.safetensors');
    const input = makeCheckpoint(new SeededRandom(2), 77);
    await saveTrainingCheckpoint(path, input);
    const tensorsBefore = tf.memory().numTensors;
    const summary = await readCheckpointMetadata(path);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(summary.step).toBe(77);
    expect(summary.config).toEqual(config);
    expect(summary.randomState).toEqual(input.randomState);
    expect(summary.extra).toEqual({ note: 'unit test', 'git.commit': 'abc123' });
    const weight = summary.tensors.find((tensor) => tensor.name === 'model.decoder.layers.0.weight');
    expect(weight).toEqual({ name: 'model.decoder.layers.0.weight', dtype: 'F32', shape: [3, 4], dataOffsets: [16, 64] });
    expect(summary.tensors).toHaveLength(7);
    disposeCheckpoint(input);
  });

  it('overwrites an existing checkpoint and leaves no temporary files', async () => {
    const subdirectory = await mkdtemp(join(directory, 'overwrite-'));
    const path = join(subdirectory, 'latest.safetensors');
    const first = makeCheckpoint(new SeededRandom(3), 10);
    const second = makeCheckpoint(new SeededRandom(4), 20);
    await saveTrainingCheckpoint(path, first);
    await saveTrainingCheckpoint(path, second);
    expect(await readdir(subdirectory)).toEqual(['latest.safetensors']);
    const loaded = await loadTrainingCheckpoint(path);
    expect(loaded.step).toBe(20);
    const expected = await (second.modelWeights as Map<string, tf.Tensor>).get('decoder.layers.0.weight')?.data();
    expect(await loaded.modelWeights.get('decoder.layers.0.weight')?.data()).toEqual(expected);
    disposeCheckpoint(loaded);
    disposeCheckpoint(first);
    disposeCheckpoint(second);
  });

  it('is not confused by a stale temporary file left by a killed writer', async () => {
    const subdirectory = await mkdtemp(join(directory, 'stale-'));
    const path = join(subdirectory, 'latest.safetensors');
    const input = makeCheckpoint(new SeededRandom(5), 5);
    await saveTrainingCheckpoint(path, input);
    const stale = join(subdirectory, `.latest.safetensors.${process.pid}.1.tmp`);
    await writeFile(stale, new Uint8Array([1, 2, 3]));
    expect((await loadTrainingCheckpoint(path)).step).toBe(5);
    await saveTrainingCheckpoint(path, { ...input, step: 6 });
    const summary = await readCheckpointMetadata(path);
    expect(summary.step).toBe(6);
    expect(await readFile(stale)).toEqual(Buffer.from([1, 2, 3]));
    const loaded = await loadTrainingCheckpoint(path);
    disposeCheckpoint(loaded);
    disposeCheckpoint(input);
  });

  it('rejects bad arguments before touching the disk', async () => {
    const path = join(directory, 'never-written.safetensors');
    const input = makeCheckpoint(new SeededRandom(6), 1);
    const cases: Array<[Partial<TrainingCheckpointInput>, string, string]> = [
      [{ step: -1 }, 'step', 'non-negative integer'],
      [{ step: 1.5 }, 'step', 'non-negative integer'],
      [{ config: { optimizer: { betas: [0.9, Number.NaN] } } }, 'config.optimizer.betas[1]', 'no JSON form'],
      [{ config: { schedule: undefined } }, 'config.schedule', 'got undefined'],
      [{ randomState: new Map() }, 'randomState', 'instance of Map'],
      [{ extra: { note: 3 as unknown as string } }, 'extra.note', 'must be a string'],
      [{ optimizerState: { moment: tf.complex([1], [1]) } }, "tensors['optimizer.moment']", "dtype 'complex64'"],
    ];
    for (const [override, argument, message] of cases) {
      const error = await caught(() => saveTrainingCheckpoint(path, { ...input, ...override }));
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect((error as Error).message).toContain(message);
      if (override.optimizerState) disposeCheckpoint({ modelWeights: {}, optimizerState: override.optimizerState as Record<string, tf.Tensor> });
    }
    expect(await readdir(directory)).not.toContain('never-written.safetensors');
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    disposeCheckpoint(input);
  });
});

describe('loading errors', () => {
  const checkpointMetadata = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
    const base: Record<string, string | undefined> = {
      format: 'reca-training-checkpoint',
      format_version: '1',
      library: '@reca/core',
      step: '4',
      random_state: '{"algorithm":"xoshiro128**","words":[1,2,3,4]}',
      config: '{}',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined));
  };
  const weight: SafetensorsTensor = { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) };

  async function expectCorrupt(path: string, problem: string, messagePart: string): Promise<void> {
    for (const read of [loadTrainingCheckpoint, readCheckpointMetadata]) {
      const tensorsBefore = tf.memory().numTensors;
      const error = await caught(() => read(path));
      expect(CorruptCheckpointError.isInstance(error)).toBe(true);
      expect((error as CorruptCheckpointError).path).toBe(path);
      expect((error as CorruptCheckpointError).problem).toBe(problem);
      expect((error as Error).message).toContain(`Corrupt checkpoint '${path}'`);
      expect((error as Error).message).toContain(messagePart);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    }
  }

  it('a missing file → CheckpointNotFoundError naming the path', async () => {
    const path = join(directory, 'missing.safetensors');
    for (const read of [loadTrainingCheckpoint, readCheckpointMetadata, readSafetensorsFile, readSafetensorsHeader]) {
      const error = await caught(() => read(path));
      expect(CheckpointNotFoundError.isInstance(error)).toBe(true);
      expect((error as CheckpointNotFoundError).path).toBe(path);
      expect((error as Error).message).toBe(`Checkpoint file not found: '${path}'`);
    }
  });

  it('a truncated file → CorruptCheckpointError naming the path, the tensor and the problem', async () => {
    const path = join(directory, 'truncated.safetensors');
    const input = makeCheckpoint(new SeededRandom(7), 9);
    await saveTrainingCheckpoint(path, input);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 1));
    await expectCorrupt(path, 'out-of-bounds', "tensor 'model.attention.causal_mask'");
    disposeCheckpoint(input);
  });

  it('a file that is not safetensors at all', async () => {
    const path = join(directory, 'notes.txt');
    await writeFile(path, 'these are not the tensors you are looking for');
    await expectCorrupt(path, 'header-length-out-of-range', 'header length is');
  });

  it('a safetensors file that is not a training checkpoint', async () => {
    const path = join(directory, 'weights-only.safetensors');
    await writeSafetensorsFile(path, { 'model.w': weight }, { framework: 'pt' });
    await expectCorrupt(path, 'not-a-training-checkpoint', "no 'format' entry");
  });

  it('missing or malformed required metadata', async () => {
    const missing = join(directory, 'missing-config.safetensors');
    await writeSafetensorsFile(missing, { 'model.w': weight }, checkpointMetadata({ config: undefined }));
    await expectCorrupt(missing, 'missing-metadata', "required metadata 'config' is missing");
    const badStep = join(directory, 'bad-step.safetensors');
    await writeSafetensorsFile(badStep, { 'model.w': weight }, checkpointMetadata({ step: '-3' }));
    await expectCorrupt(badStep, 'invalid-metadata', "'step' must be a non-negative integer, got -3");
    const badJson = join(directory, 'bad-json.safetensors');
    await writeSafetensorsFile(badJson, { 'model.w': weight }, checkpointMetadata({ config: '{width: 3}' }));
    await expectCorrupt(badJson, 'invalid-metadata', "metadata 'config' is not valid JSON");
  });

  it('a tensor outside the model./optimizer. namespaces', async () => {
    const path = join(directory, 'stray.safetensors');
    await writeSafetensorsFile(path, { 'model.w': weight, 'ema.w': weight }, checkpointMetadata());
    await expectCorrupt(path, 'unexpected-tensor', "tensor 'ema.w' belongs to neither");
  });

  it('a tensor that tfjs cannot hold, without leaking the tensors converted before it', async () => {
    const path = join(directory, 'wide-ids.safetensors');
    const ids: SafetensorsTensor = { dtype: 'I64', shape: [1], data: new BigInt64Array([2n ** 40n]) };
    await writeSafetensorsFile(path, { 'model.w': weight, 'optimizer.ids': ids }, checkpointMetadata());
    const tensorsBefore = tf.memory().numTensors;
    const error = await caught(() => loadTrainingCheckpoint(path));
    expect(CorruptCheckpointError.isInstance(error)).toBe(true);
    expect((error as CorruptCheckpointError).problem).toBe('unconvertible-tensor');
    expect((error as Error).message).toContain('1099511627776');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('a newer format version → UnsupportedCheckpointVersionError', async () => {
    const path = join(directory, 'future.safetensors');
    await writeSafetensorsFile(path, { 'model.w': weight }, checkpointMetadata({ format_version: '2' }));
    for (const read of [loadTrainingCheckpoint, readCheckpointMetadata]) {
      const error = await caught(() => read(path));
      expect(UnsupportedCheckpointVersionError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(`Checkpoint '${path}' has format version '2'; this library reads version(s) '1'`);
    }
  });

  it('hand-written checkpoints load too (metadata validated, tensors decoded)', async () => {
    const path = join(directory, 'hand-written.safetensors');
    const bytes = encodeSafetensors({ 'model.w': weight, 'optimizer.m': { dtype: 'F16', shape: [1], data: new Uint16Array([0x3800]) } }, checkpointMetadata());
    await writeFile(path, bytes);
    expect(decodeSafetensors(bytes).tensors.size).toBe(2);
    const loaded = await loadTrainingCheckpoint(path);
    expect(loaded.step).toBe(4);
    expect(Array.from(await (loaded.optimizerState.m as tf.Tensor).data())).toEqual([0.5]);
    disposeCheckpoint(loaded);
  });
});
