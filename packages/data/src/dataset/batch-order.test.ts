import { describe, expect, it } from 'vitest';
import { batchIndices, epochOrder } from './batch-order.js';

describe('epochOrder / batchIndices', () => {
  it('is a permutation that depends only on seed and epoch', () => {
    const order = epochOrder(50, { seed: 7 });
    expect([...order].sort((first, second) => first - second)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(epochOrder(50, { seed: 7 })).toEqual(order);
    expect(epochOrder(50, { seed: 8 })).not.toEqual(order);
    expect(epochOrder(50, { seed: 7, epoch: 1 })).not.toEqual(order);
    expect(epochOrder(5, { seed: 7, shuffle: false })).toEqual([0, 1, 2, 3, 4]);
  });

  it('splits into batches, keeping or dropping the short last one', () => {
    const kept = batchIndices(10, 4, { seed: 1 });
    expect(kept.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(kept.flat()).toEqual(epochOrder(10, { seed: 1 }));
    expect(batchIndices(10, 4, { seed: 1, dropLast: true }).map((batch) => batch.length)).toEqual([4, 4]);
    expect(() => batchIndices(10, 0, { seed: 1 })).toThrow(/batchSize/);
  });
});
