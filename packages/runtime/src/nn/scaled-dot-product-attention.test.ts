import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { attentionBias } from './attention-bias.js';
import { blockCausalMask } from './block-causal-mask.js';
import { scaledDotProductAttention } from './scaled-dot-product-attention.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Naive softmax(q·kᵀ/√d)·v for one [tokens, dim] head, with an optional allowed(i, j). */
function naiveAttention(query: number[][], key: number[][], value: number[][], allowed: (i: number, j: number) => boolean): number[][] {
  const scale = 1 / Math.sqrt(query[0]!.length);
  return query.map((queryRow, i) => {
    const scores = key.map((keyRow, j) => (allowed(i, j) ? scale * keyRow.reduce((sum, entry, c) => sum + entry * queryRow[c]!, 0) : -Infinity));
    const maximum = Math.max(...scores);
    const weights = scores.map((score) => Math.exp(score - maximum));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return value[0]!.map((_, c) => value.reduce((sum, valueRow, j) => sum + (weights[j]! / total) * valueRow[c]!, 0));
  });
}

describe('scaledDotProductAttention', () => {
  it('matches a naive loop per batch element and head, with and without a block mask', () => {
    const random = new SeededRandom(1);
    const [batch, heads, queries, keys, dim] = [2, 2, 4, 4, 3];
    const query = random.normalTensor([batch, heads, queries, dim]);
    const key = random.normalTensor([batch, heads, keys, dim]);
    const value = random.normalTensor([batch, heads, keys, 5]);
    const mask = blockCausalMask([1, 3]);
    const bias = attentionBias(batch, queries, keys, { mask });
    for (const [withMask, allowed] of [
      [false, () => true],
      [true, (i: number, j: number) => (i === 0 ? j === 0 : true)],
    ] as const) {
      const output = scaledDotProductAttention(query, key, value, { bias: withMask ? bias : null }).arraySync();
      const [q, k, v] = [query, key, value].map((tensor) => tensor.arraySync() as number[][][][]) as [number[][][][], number[][][][], number[][][][]];
      for (let b = 0; b < batch; b++) {
        for (let h = 0; h < heads; h++) {
          const expected = naiveAttention(q[b]![h]!, k[b]![h]!, v[b]![h]!, allowed);
          expected.flat().forEach((entry, index) => expect(output[b]![h]!.flat()[index]).toBeCloseTo(entry, 5));
        }
      }
    }
    tf.dispose([query, key, value, mask, bias!]);
  });

  it('rejects mismatched key shapes', () => {
    const query = tf.zeros([1, 2, 3, 4]);
    const key = tf.zeros([1, 2, 3, 5]);
    expect(() => scaledDotProductAttention(query, key, key)).toThrow(ShapeMismatchError);
    tf.dispose([query, key]);
  });
});
