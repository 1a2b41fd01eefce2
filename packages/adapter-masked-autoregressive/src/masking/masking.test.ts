import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { CosineUnmaskingSchedule } from './cosine-unmasking-schedule.js';
import { MaskRatioSampler } from './mask-ratio-sampler.js';
import { maskByOrder, randomMasking } from './random-masking.js';
import { sampleOrders } from './sample-orders.js';
import { gatherTokens, placeTokens } from './token-indexing.js';

describe('MAR masking', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('draws one permutation per sample, reproducibly from the seed', () => {
    const orders = sampleOrders(3, 16, new SeededRandom(1));
    expect(orders).toEqual(sampleOrders(3, 16, new SeededRandom(1)));
    for (const order of orders) expect([...order].sort((first, second) => first - second)).toEqual(Array.from({ length: 16 }, (_, index) => index));
    expect(orders[0]).not.toEqual(orders[1]);
  });

  it('draws mask ratios from normal(1, 0.25) truncated to [0.7, 1] (mean 0.8670 from the closed form)', () => {
    const sampler = new MaskRatioSampler();
    const random = new SeededRandom(2);
    const draws = Array.from({ length: 20000 }, () => sampler.sample(random));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0.7);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1);
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    expect(mean).toBeCloseTo(0.867017, 2);
    const custom = new MaskRatioSampler({ minimum: 0.5, maximum: 0.6 });
    expect(custom.sample(random)).toBeGreaterThanOrEqual(0.5);
    expect(() => new MaskRatioSampler({ minimum: 0.9, maximum: 0.8 })).toThrow(/minimum/);
  });

  it('masks the first ⌈L · ratio⌉ tokens of each order, the same count for every sample', () => {
    const orders = [
      [3, 0, 2, 1],
      [1, 2, 3, 0],
    ];
    const { mask, maskedCount } = randomMasking(orders, 0.7); // ⌈2.8⌉ = 3
    expect(maskedCount).toBe(3);
    expect(Array.from(mask)).toEqual([1, 0, 1, 1, 0, 1, 1, 1]);
    expect(randomMasking(orders, 1).maskedCount).toBe(4);
    expect(randomMasking(orders, 0.5).maskedCount).toBe(2);
    expect(Array.from(maskByOrder(orders, 1))).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
  });

  it("follows MAR's cosine unmasking: ⌊L cos(π/2 · (s+1)/n)⌋ clamped to [1, masked − 1], then 0", () => {
    const reference = (tokens: number, iterations: number) => {
      const counts = [tokens];
      for (let step = 0; step < iterations; step++) {
        const before = counts[step] as number;
        counts.push(step === iterations - 1 ? 0 : Math.max(1, Math.min(before - 1, Math.floor(tokens * Math.cos((Math.PI / 2) * ((step + 1) / iterations))))));
      }
      return counts;
    };
    expect(new CosineUnmaskingSchedule(16, 4).counts()).toEqual([16, 14, 11, 6, 0]);
    expect(new CosineUnmaskingSchedule(256, 64).counts()).toEqual(reference(256, 64));
    expect(new CosineUnmaskingSchedule(4, 8).counts()).toEqual([4, 3, 2, 1, 1, 1, 1, 1, 0]);
  });

  it('gathers kept tokens and places them back (the MAE encoder drop and the decoder padding)', () => {
    const tokens = tf.tensor3d(Array.from({ length: 2 * 4 * 2 }, (_, index) => index), [2, 4, 2]);
    const kept = [
      [0, 3],
      [1, 2],
    ];
    const gathered = gatherTokens(tokens, kept);
    expect(gathered.arraySync()).toEqual([
      [[0, 1], [6, 7]],
      [[10, 11], [12, 13]],
    ]);
    const placed = placeTokens(gathered, kept, 4, tf.tensor1d([-1, -2]));
    expect(placed.arraySync()).toEqual([
      [[0, 1], [-1, -2], [-1, -2], [6, 7]],
      [[-1, -2], [10, 11], [12, 13], [-1, -2]],
    ]);
    const restored = placeTokens(gathered, kept, 4, tf.zerosLike(tokens));
    expect(restored.arraySync()[1]).toEqual([[0, 0], [10, 11], [12, 13], [0, 0]]);
    tf.dispose([tokens, gathered, placed, restored]);
  });
});
