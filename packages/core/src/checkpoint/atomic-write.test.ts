import * as fileSystem from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SeededRandom, tf } from '@reca/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CheckpointNotFoundError } from '../errors/checkpoint-not-found-error.js';
import { loadTrainingCheckpoint } from './load-training-checkpoint.js';
import { saveTrainingCheckpoint, type TrainingCheckpointInput } from './save-training-checkpoint.js';

/**
 * Interrupted writes, simulated by making the file system fail part-way: the destination must keep the previous
 * checkpoint (or not exist), never a half-written file.
 */
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, open: vi.fn(actual.open), rename: vi.fn(actual.rename), unlink: vi.fn(actual.unlink) };
});

const actual = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
const openMock = vi.mocked(fileSystem.open);
const renameMock = vi.mocked(fileSystem.rename);
const unlinkMock = vi.mocked(fileSystem.unlink);

let directory: string;
const openedPaths: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  directory = await actual.mkdtemp(join(tmpdir(), 'reca-atomic-'));
});

afterEach(() => {
  openMock.mockImplementation(actual.open);
  renameMock.mockImplementation(actual.rename);
  unlinkMock.mockImplementation(actual.unlink);
  openedPaths.length = 0;
});

afterAll(async () => {
  await actual.rm(directory, { recursive: true, force: true });
});

function checkpointAt(step: number): TrainingCheckpointInput {
  const random = new SeededRandom(step);
  return {
    modelWeights: { 'layer.weight': tf.tensor2d(random.normalArray(4096), [64, 64]) },
    optimizerState: { 'layer.weight.exp_avg': tf.tensor2d(random.normalArray(4096), [64, 64]) },
    step,
    randomState: random.getState(),
    config: { step },
  };
}

function dispose(checkpoint: TrainingCheckpointInput): void {
  tf.dispose([...Object.values(checkpoint.modelWeights), ...Object.values(checkpoint.optimizerState)]);
}

type FileHandle = Awaited<ReturnType<typeof actual.open>>;

/** A file handle whose `write` writes the first half of what it is asked, then fails like a full disk. */
function failingHalfway(handle: FileHandle): FileHandle {
  return new Proxy(handle, {
    get(target, property) {
      if (property === 'write') {
        return async (buffer: Uint8Array, offset: number, length: number, position: number) => {
          await target.write(buffer, offset, Math.floor(length / 2), position);
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function failNextWriteHalfway(): void {
  openMock.mockImplementationOnce(async (path, flags) => {
    openedPaths.push(String(path));
    return failingHalfway(await actual.open(path, flags));
  });
}

async function freshDirectory(label: string): Promise<string> {
  return actual.mkdtemp(join(directory, `${label}-`));
}

describe('interrupted checkpoint writes', () => {
  it('a write that fails half-way keeps the old checkpoint byte for byte and removes the temporary file', async () => {
    const folder = await freshDirectory('halfway');
    const path = join(folder, 'latest.safetensors');
    const old = checkpointAt(100);
    await saveTrainingCheckpoint(path, old);
    const oldBytes = await actual.readFile(path);

    failNextWriteHalfway();
    const next = checkpointAt(200);
    await expect(saveTrainingCheckpoint(path, next)).rejects.toThrow('ENOSPC');
    // The partial data went to a temporary file in the same directory, never to the destination.
    expect(openedPaths).toHaveLength(1);
    expect(openedPaths[0]).not.toBe(path);
    expect(dirname(openedPaths[0])).toBe(folder);

    expect(await actual.readFile(path)).toEqual(oldBytes);
    expect(await actual.readdir(folder)).toEqual(['latest.safetensors']);
    const loaded = await loadTrainingCheckpoint(path);
    expect(loaded.step).toBe(100);
    expect(await loaded.modelWeights.get('layer.weight')?.data()).toEqual(await (old.modelWeights as Record<string, tf.Tensor>)['layer.weight'].data());
    tf.dispose([...loaded.modelWeights.values(), ...Object.values(loaded.optimizerState)]);
    dispose(old);
    dispose(next);
  });

  it('a failed rename (crash before the switch) keeps the old checkpoint', async () => {
    const folder = await freshDirectory('rename');
    const path = join(folder, 'latest.safetensors');
    const old = checkpointAt(1);
    await saveTrainingCheckpoint(path, old);
    const oldBytes = await actual.readFile(path);
    renameMock.mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }));
    const next = checkpointAt(2);
    await expect(saveTrainingCheckpoint(path, next)).rejects.toThrow('EIO');
    expect(await actual.readFile(path)).toEqual(oldBytes);
    expect(await actual.readdir(folder)).toEqual(['latest.safetensors']);
    dispose(old);
    dispose(next);
  });

  it('a writer killed mid-write (no clean-up) leaves only a temporary file; the destination keeps the old checkpoint', async () => {
    const folder = await freshDirectory('killed');
    const path = join(folder, 'latest.safetensors');
    const old = checkpointAt(7);
    await saveTrainingCheckpoint(path, old);
    const oldBytes = await actual.readFile(path);

    failNextWriteHalfway();
    unlinkMock.mockRejectedValueOnce(new Error('process killed before clean-up'));
    const next = checkpointAt(8);
    await expect(saveTrainingCheckpoint(path, next)).rejects.toThrow('ENOSPC');
    const entries = (await actual.readdir(folder)).sort();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatch(/^\.latest\.safetensors\.\d+\.\d+\.tmp$/);
    expect(entries[1]).toBe('latest.safetensors');
    const partial = await actual.readFile(join(folder, entries[0]));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(oldBytes.length);
    expect(await actual.readFile(path)).toEqual(oldBytes);
    expect((await loadTrainingCheckpoint(path)).step).toBe(7);

    // The next save succeeds and replaces the destination in one step.
    await saveTrainingCheckpoint(path, next);
    const loaded = await loadTrainingCheckpoint(path);
    expect(loaded.step).toBe(8);
    tf.dispose([...loaded.modelWeights.values(), ...Object.values(loaded.optimizerState)]);
    dispose(old);
    dispose(next);
  });

  it('a first save that fails leaves no file at the destination', async () => {
    const folder = await freshDirectory('first');
    const path = join(folder, 'latest.safetensors');
    failNextWriteHalfway();
    const checkpoint = checkpointAt(1);
    await expect(saveTrainingCheckpoint(path, checkpoint)).rejects.toThrow('ENOSPC');
    expect(await actual.readdir(folder)).toEqual([]);
    await expect(loadTrainingCheckpoint(path)).rejects.toSatisfy(CheckpointNotFoundError.isInstance);
    dispose(checkpoint);
  });
});
