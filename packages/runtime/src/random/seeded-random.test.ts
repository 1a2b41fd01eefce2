import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const first = new SeededRandom(42);
    const second = new SeededRandom(42);
    const other = new SeededRandom(43);
    const draws = Array.from({ length: 5 }, () => first.nextUint32());
    expect(Array.from({ length: 5 }, () => second.nextUint32())).toEqual(draws);
    expect(Array.from({ length: 5 }, () => other.nextUint32())).not.toEqual(draws);
  });

  it('resumes exactly from a saved state', () => {
    const random = new SeededRandom('run');
    random.normalArray(17);
    const state = random.getState();
    const expected = random.uniformArray(8);
    const restored = SeededRandom.fromState(JSON.parse(JSON.stringify(state)));
    expect(restored.uniformArray(8)).toEqual(expected);
  });

  it('forks independent named streams without advancing the parent', () => {
    const random = new SeededRandom(7);
    const before = random.getState();
    const masking = random.fork('masking').uniformArray(4);
    const noise = random.fork('noise').uniformArray(4);
    expect(random.getState()).toEqual(before);
    expect(masking).not.toEqual(noise);
    expect(random.fork('masking').uniformArray(4)).toEqual(masking);
  });

  it('has the right moments for uniform and normal draws', () => {
    const random = new SeededRandom(1);
    const uniform = random.uniformArray(20000);
    const normal = random.normalArray(20000, 2, 3);
    const mean = (values: Float32Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = (values: Float32Array) => {
      const average = mean(values);
      return values.reduce((sum, value) => sum + (value - average) ** 2, 0) / values.length;
    };
    expect(mean(uniform)).toBeCloseTo(0.5, 1.5);
    expect(variance(uniform)).toBeCloseTo(1 / 12, 2);
    expect(mean(normal)).toBeCloseTo(2, 1);
    expect(Math.sqrt(variance(normal))).toBeCloseTo(3, 1);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
  });

  it('draws permutations and truncated normals inside their support', () => {
    const random = new SeededRandom(3);
    expect([...random.permutation(10)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let index = 0; index < 200; index++) {
      const ratio = random.truncatedNormal(1, 0.25, 0.7, 1);
      expect(ratio).toBeGreaterThanOrEqual(0.7);
      expect(ratio).toBeLessThanOrEqual(1);
    }
  });

  it('rejects a malformed state and a non-finite seed', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed/);
    expect(() => SeededRandom.fromState({ algorithm: 'xoshiro128**', words: [1, 2] } as never)).toThrow(/state/);
  });
});
