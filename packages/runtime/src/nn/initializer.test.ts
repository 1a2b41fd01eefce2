import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { SeededRandom } from '../random/seeded-random.js';
import { initializeParameter } from './initializer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function draw(shape: number[], initializer: Parameters<typeof initializeParameter>[1], seed = 1, fans = {}): Float32Array {
  const tensor = initializeParameter(shape, initializer, new SeededRandom(seed), fans);
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}

describe('initializeParameter', () => {
  it('respects the PyTorch linear and Xavier bounds and fills most of the range', () => {
    const linear = draw([64, 100], { kind: 'pytorch-linear' });
    expect(Math.max(...linear.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...linear.map(Math.abs))).toBeGreaterThan(0.095);
    const bias = draw([64], { kind: 'pytorch-linear' }, 1, { fanIn: 400 });
    expect(Math.max(...bias.map(Math.abs))).toBeLessThanOrEqual(0.05);
    const xavier = draw([50, 100], { kind: 'xavier-uniform' });
    const bound = Math.sqrt(6 / 150);
    expect(Math.max(...xavier.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...xavier.map(Math.abs))).toBeGreaterThan(0.95 * bound);
  });

  it('draws normals with the requested moments, constants exactly, and is deterministic', () => {
    const normal = draw([10000], { kind: 'normal', standardDeviation: 0.02, mean: 1 });
    const mean = normal.reduce((sum, value) => sum + value, 0) / normal.length;
    const variance = normal.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normal.length;
    expect(mean).toBeCloseTo(1, 3);
    expect(Math.sqrt(variance)).toBeCloseTo(0.02, 3);
    const truncated = draw([2000], { kind: 'truncated-normal', standardDeviation: 1, low: -0.5, high: 0.5 });
    expect(Math.max(...truncated.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Array.from(draw([3], { kind: 'constant', value: 2.5 }))).toEqual([2.5, 2.5, 2.5]);
    expect(Array.from(draw([2], { kind: 'zeros' }))).toEqual([0, 0]);
    expect(draw([5], { kind: 'normal', standardDeviation: 1 }, 9)).toEqual(draw([5], { kind: 'normal', standardDeviation: 1 }, 9));
  });
});
