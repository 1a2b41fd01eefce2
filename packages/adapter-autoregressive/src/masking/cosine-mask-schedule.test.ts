import { InvalidArgumentError, SeededRandom } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { cosineMaskRatio, maskCountAfterStep, trainingMaskCount } from './cosine-mask-schedule.js';
import { drawTokenMasks } from './random-token-masking.js';

describe('cosine mask schedule', () => {
  it('is cos(πt/2): 1 at t = 0, 1/√2 at t = 0.5, 0 at t = 1', () => {
    expect(cosineMaskRatio(0)).toBe(1);
    expect(cosineMaskRatio(0.5)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosineMaskRatio(1)).toBeCloseTo(0, 12);
    expect(cosineMaskRatio(1 / 3)).toBeCloseTo(Math.sqrt(3) / 2, 12);
    expect(() => cosineMaskRatio(1.5)).toThrow(InvalidArgumentError);
  });

  it('masks round(N·cos(πt/2)) tokens in training, at least one', () => {
    expect(trainingMaskCount(0, 64)).toBe(64);
    expect(trainingMaskCount(0.5, 64)).toBe(45); // 64 · 0.7071 = 45.25
    expect(trainingMaskCount(0.999, 64)).toBe(1);
  });

  it('reveals tokens along the schedule in decoding and ends with none masked', () => {
    const tokens = 16;
    const steps = 4;
    let masked = tokens;
    const counts: number[] = [];
    for (let step = 0; step < steps; step++) {
      masked = maskCountAfterStep(step, steps, tokens, masked);
      counts.push(masked);
    }
    // floor(16 · cos(π/2 · k/4)) for k = 1, 2, 3 = 14, 11, 6; then 0.
    expect(counts).toEqual([14, 11, 6, 0]);
    expect(maskCountAfterStep(0, 8, 4, 1)).toBe(1); // never below 1 before the last step
    expect(maskCountAfterStep(0, 2, 4, 4)).toBe(2); // at least one revealed: min(stillMasked − 1, 2)
  });
});

describe('drawTokenMasks', () => {
  it('masks the scheduled count per sample, uniformly over positions, reproducibly', () => {
    const first = drawTokenMasks(3, 10, new SeededRandom(1));
    const second = drawTokenMasks(3, 10, new SeededRandom(1));
    expect(Array.from(first.masked)).toEqual(Array.from(second.masked));
    first.times.forEach((t, sample) => {
      expect(first.counts[sample]).toBe(trainingMaskCount(t, 10));
      const row = first.masked.subarray(sample * 10, (sample + 1) * 10);
      expect(row.reduce((sum, value) => sum + value, 0)).toBe(first.counts[sample]);
    });
    // Over many draws each position is masked about equally often (uniform choice of positions).
    const random = new SeededRandom(2);
    const frequency = new Array<number>(8).fill(0);
    let total = 0;
    for (let draw = 0; draw < 2000; draw++) {
      const { masked, counts } = drawTokenMasks(1, 8, random);
      masked.forEach((value, position) => (frequency[position] = frequency[position]! + value));
      total += counts[0]!;
    }
    frequency.forEach((value) => expect(Math.abs(value / total - 1 / 8)).toBeLessThan(0.02));
    // E[cos(πt/2)] = 2/π for t ~ U(0, 1).
    expect(total / (2000 * 8)).toBeGreaterThan(2 / Math.PI - 0.05);
    expect(total / (2000 * 8)).toBeLessThan(2 / Math.PI + 0.07);
  });
});
