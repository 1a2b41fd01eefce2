import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { sinusoidalTimestepEmbedding } from './timestep-embedding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('sinusoidalTimestepEmbedding', () => {
  it('puts cosines first, then sines, with DiT frequencies', () => {
    const timesteps = tf.tensor1d([0, 1, 500.5]);
    const embedding = sinusoidalTimestepEmbedding(timesteps, 6, 100).arraySync();
    [0, 1, 500.5].forEach((time, row) => {
      const frequencies = [0, 1, 2].map((index) => Math.exp((-Math.log(100) * index) / 3));
      const expected = [...frequencies.map((f) => Math.cos(time * f)), ...frequencies.map((f) => Math.sin(time * f))];
      expected.forEach((value, column) => expect(embedding[row]![column]).toBeCloseTo(value, 3));
    });
    expect(embedding[0]).toEqual([1, 1, 1, 0, 0, 0]);
    timesteps.dispose();
  });

  it('pads an odd width with a zero column', () => {
    const timesteps = tf.tensor1d([3]);
    const embedding = sinusoidalTimestepEmbedding(timesteps, 5).arraySync();
    expect(embedding[0]).toHaveLength(5);
    expect(embedding[0]![4]).toBe(0);
    expect(embedding[0]![0]).toBeCloseTo(Math.cos(3), 5);
    expect(embedding[0]![2]).toBeCloseTo(Math.sin(3), 5);
    timesteps.dispose();
  });
});
