import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { Embedding } from './embedding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('Embedding', () => {
  it('looks up rows for ids of any shape', () => {
    const embedding = new Embedding({ numEmbeddings: 5, embeddingDim: 3, random: new SeededRandom(1) });
    const table = Array.from(embedding.weight.dataSync());
    const ids = tf.tensor2d([[4, 0, 4], [2, 2, 1]], [2, 3], 'int32');
    const output = embedding.forward(ids);
    expect(output.shape).toEqual([2, 3, 3]);
    const expected = [4, 0, 4, 2, 2, 1].flatMap((id) => table.slice(id * 3, id * 3 + 3));
    expect(Array.from(output.dataSync())).toEqual(expected);
    tf.dispose([ids, output]);
    embedding.dispose();
  });

  it('accumulates gradients of repeated ids into their rows', () => {
    const embedding = new Embedding({ numEmbeddings: 4, embeddingDim: 2, random: new SeededRandom(1) });
    const ids = tf.tensor1d([1, 3, 1], 'int32');
    const upstream = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(embedding.forward(ids), upstream)) as tf.Scalar, [embedding.weight]);
    expect(Array.from(grads[embedding.weight.name]!.dataSync())).toEqual([0, 0, 6, 8, 0, 0, 3, 4]);
    tf.dispose([ids, upstream, value, grads[embedding.weight.name]!]);
    embedding.dispose();
  });

  it('initialises N(0, 1) by default, configurable, and rejects float ids', () => {
    const embedding = new Embedding({ numEmbeddings: 100, embeddingDim: 50, random: new SeededRandom(4) });
    const values = Array.from(embedding.weight.dataSync());
    const variance = values.reduce((sum, value) => sum + value * value, 0) / values.length;
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
    const small = new Embedding({ numEmbeddings: 10, embeddingDim: 10, random: new SeededRandom(4), initializer: { kind: 'normal', standardDeviation: 0.02 } });
    expect(Math.max(...small.weight.dataSync())).toBeLessThan(0.1);
    const floatIds = tf.tensor1d([1, 2]);
    expect(() => embedding.forward(floatIds)).toThrow(InvalidArgumentError);
    floatIds.dispose();
    embedding.dispose();
    small.dispose();
  });
});
