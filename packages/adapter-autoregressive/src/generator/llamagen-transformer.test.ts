import { tf, useBackend } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomCondition, tinyGenerator } from '../__fixtures__/tiny-generator.js';
import { stackConditions } from '../sampling/stack-conditions.js';
import { disposeGeneratorCache, type GeneratorCache, LlamaGenTransformer } from './llamagen-transformer.js';
import { SeededRandom } from '@reca/runtime';

beforeAll(async () => {
  await useBackend('cpu');
});

async function maxDifference(first: tf.Tensor, second: tf.Tensor): Promise<number> {
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(first, second))));
  const value = (await difference.data())[0]!;
  difference.dispose();
  return value;
}

describe('LlamaGenTransformer', () => {
  it("uses LlamaGen's parameter names and shapes, with a zero-initialised output head", () => {
    const transformer = new LlamaGenTransformer(
      { dim: 32, numLayers: 2, numHeads: 2, multipleOf: 16, normEpsilon: 1e-5, ropeBase: 10000, initializerRange: 0.02, codebookSize: 64, gridSize: 4, conditionWidth: 16, mode: 'masked' },
      new SeededRandom(0),
    );
    const shapes = Object.fromEntries(transformer.namedParameters().map(([name, variable]) => [name, variable.shape]));
    expect(Object.keys(shapes).slice(0, 3)).toEqual(['cls_embedding.cap_proj.fc1.weight', 'cls_embedding.cap_proj.fc2.weight', 'tok_embeddings.weight']);
    expect(shapes['tok_embeddings.weight']).toEqual([65, 32]); // + [MASK]
    expect(shapes['layers.1.attention.wqkv.weight']).toEqual([96, 32]);
    expect(shapes['layers.1.attention.wo.weight']).toEqual([32, 32]);
    expect(shapes['layers.0.feed_forward.w1.weight']).toEqual([96, 32]); // int(2·4·32/3) = 85 → multiple of 16 = 96
    expect(shapes['layers.0.feed_forward.w2.weight']).toEqual([32, 96]);
    expect(shapes['layers.0.feed_forward.w3.weight']).toEqual([96, 32]);
    expect(shapes['layers.0.attention_norm.weight']).toEqual([32]);
    expect(shapes['layers.0.ffn_norm.weight']).toEqual([32]);
    expect(shapes['norm.weight']).toEqual([32]);
    expect(shapes['output.weight']).toEqual([64, 32]);
    expect(Array.from(transformer.output.weight.dataSync()).every((value) => value === 0)).toBe(true);
    transformer.dispose();
  });

  it('is causal in next-token mode: the prediction of token i depends only on tokens < i', async () => {
    const transformer = tinyGenerator('next-token');
    const condition = randomCondition(1, 3, 1);
    const first = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9]], [1, 9], 'int32');
    const second = tf.tensor2d([[1, 2, 3, 4, 11, 0, 0, 0, 0]], [1, 9], 'int32');
    const logitsFirst = transformer.imageLogits(condition, first);
    const logitsSecond = transformer.imageLogits(condition, second);
    expect(logitsFirst.shape).toEqual([1, 9, 12]);
    // Tokens 0…3 equal → predictions of tokens 0…4 equal; token 4 differs → prediction of token 5 differs.
    const head = [tf.slice(logitsFirst, [0, 0, 0], [1, 5, 12]), tf.slice(logitsSecond, [0, 0, 0], [1, 5, 12])];
    expect(await maxDifference(head[0]!, head[1]!)).toBeLessThan(1e-5);
    const tail = [tf.slice(logitsFirst, [0, 5, 0], [1, 1, 12]), tf.slice(logitsSecond, [0, 5, 0], [1, 1, 12])];
    expect(await maxDifference(tail[0]!, tail[1]!)).toBeGreaterThan(1e-3);
    tf.dispose([first, second, logitsFirst, logitsSecond, ...head, ...tail, condition.embeddings, condition.mask]);
    transformer.dispose();
  });

  it('attends bidirectionally inside the image block in masked mode', async () => {
    const transformer = tinyGenerator('masked');
    const condition = randomCondition(1, 2, 2);
    const first = tf.tensor2d([[12, 12, 3, 12, 5, 6, 7, 12, 9]], [1, 9], 'int32');
    const second = tf.tensor2d([[12, 12, 3, 12, 5, 6, 7, 12, 1]], [1, 9], 'int32'); // only the last token differs
    const [logitsFirst, logitsSecond] = [transformer.imageLogits(condition, first), transformer.imageLogits(condition, second)];
    const early = [tf.slice(logitsFirst, [0, 0, 0], [1, 1, 12]), tf.slice(logitsSecond, [0, 0, 0], [1, 1, 12])];
    expect(await maxDifference(early[0]!, early[1]!)).toBeGreaterThan(1e-3);
    tf.dispose([first, second, logitsFirst, logitsSecond, ...early, condition.embeddings, condition.mask]);
    transformer.dispose();
  });

  it('ignores condition padding: a left-padded condition gives the same logits', async () => {
    for (const mode of ['next-token', 'masked'] as const) {
      const transformer = tinyGenerator(mode, 3);
      const condition = randomCondition(1, 3, 4);
      const padded = stackConditions([condition, randomCondition(1, 5, 5)]); // condition is padded to length 5 on the left
      const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9]], [1, 9], 'int32');
      const plain = transformer.imageLogits(condition, ids);
      const both = transformer.imageLogits(padded, tf.concat([ids, ids], 0) as tf.Tensor2D);
      const firstRow = tf.slice(both, [0, 0, 0], [1, 9, 12]);
      expect(await maxDifference(plain, firstRow)).toBeLessThan(1e-4);
      tf.dispose([ids, plain, both, firstRow, condition.embeddings, condition.mask, padded.embeddings, padded.mask]);
      transformer.dispose();
    }
  });

  it('gives the same logits with the KV cache as without, position by position', async () => {
    const transformer = tinyGenerator('next-token', 6);
    const condition = randomCondition(2, 3, 7, [0, 1]);
    const tokens = [
      [3, 1, 4, 1, 5, 9, 2, 6, 5],
      [2, 7, 1, 8, 2, 8, 1, 8, 2],
    ];
    const ids = tf.tensor2d(tokens, [2, 9], 'int32');
    const reference = transformer.imageLogits(condition, ids);
    const prefix = transformer.embedCondition(condition);
    let step = transformer.decodeStep(prefix, condition.mask, 3, null);
    let cache: GeneratorCache = step.cache;
    for (let position = 0; position < 9; position++) {
      const expected = tf.reshape(tf.slice(reference, [0, position, 0], [2, 1, 12]), [2, 12]);
      expect(await maxDifference(step.logits, expected)).toBeLessThan(1e-4);
      expected.dispose();
      step.logits.dispose();
      if (position === 8) break;
      const input = tf.tidy(() => transformer.tokenEmbeddings.forward(tf.tensor2d([[tokens[0]![position]!], [tokens[1]![position]!]], [2, 1], 'int32')) as tf.Tensor3D);
      const ones = tf.ones([2, 1]) as tf.Tensor2D;
      step = transformer.decodeStep(input, ones, 3, cache);
      disposeGeneratorCache(cache);
      cache = step.cache;
      tf.dispose([input, ones]);
    }
    disposeGeneratorCache(cache);
    tf.dispose([ids, reference, prefix, condition.embeddings, condition.mask]);
    transformer.dispose();
  });
});
