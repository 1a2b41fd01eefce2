import { tf, useBackend } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomCondition, tinyGenerator } from '../__fixtures__/tiny-generator.js';
import { maskedTokenLoss } from './masked-token-loss.js';
import { nextTokenLoss } from './next-token-loss.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** −log softmax(row)[label], in float64. */
function crossEntropy(row: ArrayLike<number>, label: number): number {
  const values = Array.from(row);
  const maximum = Math.max(...values);
  const logTotal = Math.log(values.reduce((sum, value) => sum + Math.exp(value - maximum), 0)) + maximum;
  return logTotal - values[label]!;
}

const tokens = [
  [3, 1, 4, 1, 5, 9, 2, 6, 5],
  [2, 7, 1, 8, 2, 8, 1, 8, 2],
];

describe('generation losses', () => {
  it('next-token loss is the mean cross-entropy of every image token given the previous ones', async () => {
    const transformer = tinyGenerator('next-token', 1);
    const condition = randomCondition(2, 3, 2);
    const ids = tf.tensor2d(tokens, [2, 9], 'int32');
    const logits = await transformer.imageLogits(condition, ids).data();
    let total = 0;
    tokens.forEach((row, sample) => row.forEach((label, position) => (total += crossEntropy(logits.subarray((sample * 9 + position) * 12, (sample * 9 + position + 1) * 12), label))));
    const loss = nextTokenLoss(transformer, condition, ids);
    expect((await loss.data())[0]).toBeCloseTo(total / 18, 5);
    // A zero output head gives uniform predictions: loss = log(codebook size).
    transformer.output.weight.assign(tf.zerosLike(transformer.output.weight));
    const uniform = nextTokenLoss(transformer, condition, ids);
    expect((await uniform.data())[0]).toBeCloseTo(Math.log(12), 5);
    tf.dispose([ids, loss, uniform, condition.embeddings, condition.mask]);
    transformer.dispose();
  });

  it('masked-token loss is the cross-entropy on masked positions only, with [MASK] in the input', async () => {
    const transformer = tinyGenerator('masked', 3);
    const condition = randomCondition(2, 2, 4);
    const masked = new Uint8Array([1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0]);
    const inputIds = tokens.map((row, sample) => row.map((token, position) => (masked[sample * 9 + position] ? 12 : token)));
    const logits = await transformer.imageLogits(condition, tf.tensor2d(inputIds, [2, 9], 'int32')).data();
    let total = 0;
    let count = 0;
    tokens.forEach((row, sample) =>
      row.forEach((label, position) => {
        if (!masked[sample * 9 + position]) return;
        total += crossEntropy(logits.subarray((sample * 9 + position) * 12, (sample * 9 + position + 1) * 12), label);
        count += 1;
      }),
    );
    const ids = tf.tensor2d(tokens, [2, 9], 'int32');
    const loss = maskedTokenLoss(transformer, condition, ids, masked);
    expect((await loss.data())[0]).toBeCloseTo(total / count, 5);
    tf.dispose([ids, loss, condition.embeddings, condition.mask]);
    transformer.dispose();
  });
});
