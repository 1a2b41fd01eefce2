import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf, SeededRandom } from '@reca/runtime';
import { clipGradientsByGlobalNorm, gradientClipping } from './clip-gradients-by-global-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('clipGradientsByGlobalNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) when the norm is above maxNorm, and returns the norm before clipping', async () => {
    // ‖[3, 4]‖² = 25, ‖[[12]]‖² = 144 → global norm 13.
    const gradients = { a: tf.tensor([3, 4]), b: tf.tensor([[12]]) };
    const { gradients: clipped, globalNorm } = await clipGradientsByGlobalNorm(gradients, 1);
    expect(globalNorm).toBeCloseTo(13, 5);
    const scale = 1 / (13 + 1e-6);
    const clippedA = clipped.a as tf.Tensor;
    const clippedB = clipped.b as tf.Tensor;
    expect(clippedA.shape).toEqual([2]);
    expect(clippedB.shape).toEqual([1, 1]);
    expect(clippedA.dataSync()[0]).toBeCloseTo(3 * scale, 7);
    expect(clippedA.dataSync()[1]).toBeCloseTo(4 * scale, 7);
    expect(clippedB.dataSync()[0]).toBeCloseTo(12 * scale, 7);
    // Inputs untouched and still alive; outputs are new tensors.
    expect(Array.from(gradients.a.dataSync())).toEqual([3, 4]);
    expect(clippedA).not.toBe(gradients.a);
    tf.dispose([...Object.values(gradients), ...Object.values(clipped)]);
  });

  it('leaves gradients unchanged when the norm is within maxNorm', async () => {
    const random = new SeededRandom(5);
    const values = random.normalArray(50, 0, 0.01);
    const gradients = { weight: tf.tensor(values, [5, 10]) };
    const expectedNorm = Math.sqrt(Array.from(values).reduce((sum, value) => sum + value * value, 0));
    const { gradients: clipped, globalNorm } = await clipGradientsByGlobalNorm(gradients, 1);
    expect(globalNorm).toBeCloseTo(expectedNorm, 6);
    expect(Array.from((clipped.weight as tf.Tensor).dataSync())).toEqual(Array.from(values));
    tf.dispose([...Object.values(gradients), ...Object.values(clipped)]);
  });

  it('reads back exactly once and leaves only the returned tensors alive', async () => {
    const random = new SeededRandom(6);
    const gradients = { a: random.normalTensor([4, 4]), b: random.normalTensor([4]), c: random.normalTensor([2, 2, 2]) };
    const backend = tf.backend();
    const read = vi.spyOn(backend, 'read');
    const before = tf.memory().numTensors;
    const { gradients: clipped } = await clipGradientsByGlobalNorm(gradients, 0.5);
    expect(tf.memory().numTensors).toBe(before + 3);
    // data() goes through backend.read once (the cpu backend's read calls readSync internally)
    expect(read.mock.calls.length).toBe(1);
    tf.dispose([...Object.values(gradients), ...Object.values(clipped)]);
  });

  it('clips the result to norm maxNorm (to within the 1e-6 guard)', async () => {
    const random = new SeededRandom(8);
    const gradients = { a: random.normalTensor([30]), b: random.normalTensor([3, 7]) };
    const { gradients: clipped, globalNorm } = await clipGradientsByGlobalNorm(gradients, 0.25);
    expect(globalNorm).toBeGreaterThan(1);
    const after = Math.sqrt(
      Object.values(clipped).reduce((sum, tensor) => sum + Array.from(tensor.dataSync()).reduce((total, value) => total + value * value, 0), 0),
    );
    expect(after).toBeCloseTo(0.25, 5);
    tf.dispose([...Object.values(gradients), ...Object.values(clipped)]);
  });

  it('reports a non-finite norm, handles an empty record and rejects a bad maxNorm', async () => {
    const gradients = { a: tf.tensor([1, Number.NaN]) };
    const { gradients: clipped, globalNorm } = await clipGradientsByGlobalNorm(gradients, 1);
    expect(Number.isNaN(globalNorm)).toBe(true);
    tf.dispose([...Object.values(gradients), ...Object.values(clipped)]);
    expect(await clipGradientsByGlobalNorm({}, 1)).toEqual({ gradients: {}, globalNorm: 0 });
    await expect(clipGradientsByGlobalNorm({}, 0)).rejects.toThrow(/maxNorm/);
  });

  it('gradientClipping computes clip_grad_norm_\'s scale from a norm already read (NaN poisons, Infinity zeroes)', () => {
    expect(gradientClipping(0.5, 1)).toEqual({ globalNorm: 0.5, scale: 1 });
    expect(gradientClipping(4, 1).scale).toBeCloseTo(1 / (4 + 1e-6), 12);
    expect(gradientClipping(Number.POSITIVE_INFINITY, 1).scale).toBe(0);
    expect(gradientClipping(Number.NaN, 1).scale).toBeNaN();
  });
});
