import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import {
  applyRotaryEmbedding,
  disposeRotaryEmbedding,
  rotaryEmbedding1d,
  rotaryEmbedding2d,
  type RotaryLayout,
} from './rotary-embedding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const layouts: RotaryLayout[] = ['interleaved', 'half'];

/** Reference RoPE in float64: rotates pair p of a vector at `position` by position · base^(−2p/d). */
function referenceRotate(vector: number[], angles: number[], layout: RotaryLayout): number[] {
  const pairs = vector.length / 2;
  const output = vector.slice();
  for (let pair = 0; pair < pairs; pair++) {
    const [first, second] = layout === 'half' ? [pair, pair + pairs] : [2 * pair, 2 * pair + 1];
    const a = vector[first]!;
    const b = vector[second]!;
    output[first] = a * Math.cos(angles[pair]!) - b * Math.sin(angles[pair]!);
    output[second] = b * Math.cos(angles[pair]!) + a * Math.sin(angles[pair]!);
  }
  return output;
}

function dot(first: ArrayLike<number>, second: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < first.length; index++) sum += first[index]! * second[index]!;
  return sum;
}

describe('rotary embeddings', () => {
  it('rotate pairs by position · base^(−2i/d) in both layouts', () => {
    const random = new SeededRandom(1);
    for (const layout of layouts) {
      const positions = [0, 1, 5];
      const rotary = rotaryEmbedding1d(positions, 8, { layout, base: 100 });
      const vectors = positions.map(() => Array.from(random.normalArray(8)));
      const input = tf.tensor4d(vectors.flat(), [1, 1, 3, 8]);
      const output = applyRotaryEmbedding(input, rotary).dataSync();
      positions.forEach((position, token) => {
        const angles = [0, 1, 2, 3].map((pair) => position * Math.pow(100, (-2 * pair) / 8));
        referenceRotate(vectors[token]!, angles, layout).forEach((value, channel) =>
          expect(output[token * 8 + channel], `${layout} token ${token} channel ${channel}`).toBeCloseTo(value, 5),
        );
      });
      tf.dispose(input);
      disposeRotaryEmbedding(rotary);
    }
  });

  it('preserve norms and make q(m)·k(n) depend only on m − n (1-D)', () => {
    const random = new SeededRandom(2);
    for (const layout of layouts) {
      const rotary = rotaryEmbedding1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 16, { layout });
      const query = Array.from(random.normalArray(16));
      const key = Array.from(random.normalArray(16));
      // Put the same query/key vector at every position.
      const queries = applyRotaryEmbedding(tf.tensor2d(new Array(10).fill(query).flat(), [10, 16]), rotary).arraySync() as number[][];
      const keys = applyRotaryEmbedding(tf.tensor2d(new Array(10).fill(key).flat(), [10, 16]), rotary).arraySync() as number[][];
      for (let position = 0; position < 10; position++) {
        expect(Math.sqrt(dot(queries[position]!, queries[position]!))).toBeCloseTo(Math.sqrt(dot(query, query)), 4);
      }
      for (const offset of [0, 1, 3, -2]) {
        const reference = dot(queries[5]!, keys[5 - offset]!);
        for (const position of [2, 4, 7, 9]) {
          if (position - offset < 0 || position - offset > 9) continue;
          expect(dot(queries[position]!, keys[position - offset]!), `${layout} offset ${offset}`).toBeCloseTo(reference, 3);
        }
      }
      expect(dot(queries[5]!, keys[4]!)).not.toBeCloseTo(dot(queries[5]!, keys[1]!), 2);
      disposeRotaryEmbedding(rotary);
    }
  });

  it('encode rows in the first half of the pairs and columns in the second (2-D)', () => {
    const random = new SeededRandom(3);
    for (const layout of layouts) {
      const height = 3;
      const width = 4;
      const rotary = rotaryEmbedding2d(height, width, 8, { layout, prefixLength: 2 });
      expect(rotary.cos.shape).toEqual([2 + height * width, 8]);
      const vector = Array.from(random.normalArray(8));
      const input = tf.tensor2d(new Array(2 + height * width).fill(vector).flat(), [2 + height * width, 8]);
      const output = applyRotaryEmbedding(input, rotary).arraySync() as number[][];
      // Prefix tokens are not rotated.
      output[0]!.forEach((value, channel) => expect(value).toBeCloseTo(vector[channel]!, 6));
      for (let row = 0; row < height; row++) {
        for (let column = 0; column < width; column++) {
          const frequencies = [0, 1].map((pair) => Math.pow(10000, (-2 * pair) / 4));
          const angles = [...frequencies.map((frequency) => row * frequency), ...frequencies.map((frequency) => column * frequency)];
          const expected = referenceRotate(vector, angles, layout);
          output[2 + row * width + column]!.forEach((value, channel) => expect(value).toBeCloseTo(expected[channel]!, 5));
        }
      }
      // Relative property in 2-D: q(r1,c1)·k(r2,c2) depends only on (r1 − r2, c1 − c2).
      const key = Array.from(random.normalArray(8));
      const keys = applyRotaryEmbedding(tf.tensor2d(new Array(2 + height * width).fill(key).flat(), [2 + height * width, 8]), rotary)
        .arraySync() as number[][];
      const at = (row: number, column: number) => 2 + row * width + column;
      expect(dot(output[at(1, 2)]!, keys[at(0, 1)]!)).toBeCloseTo(dot(output[at(2, 3)]!, keys[at(1, 2)]!), 4);
      tf.dispose(input);
      disposeRotaryEmbedding(rotary);
    }
  });

  it('validate dimensions and positions', () => {
    expect(() => rotaryEmbedding1d([0], 7)).toThrow(InvalidArgumentError);
    expect(() => rotaryEmbedding2d(2, 2, 6)).toThrow(InvalidArgumentError);
    const rotary = rotaryEmbedding1d([0, 1], 4);
    const input = tf.zeros([1, 3, 4]);
    expect(() => applyRotaryEmbedding(input, rotary)).toThrow(ShapeMismatchError);
    tf.dispose(input);
    disposeRotaryEmbedding(rotary);
  });

  it('have exact gradients (a rotation’s transpose) and leak nothing', () => {
    const rotary = rotaryEmbedding1d([3, 4], 4, { layout: 'interleaved' });
    const input = tf.tensor2d([[1, 2, 3, 4], [0.5, -1, 2, 0]]);
    const upstream = tf.tensor2d([[0.3, -0.2, 1, 2], [1, 1, -1, 0.5]]);
    const before = tf.memory().numTensors;
    const gradient = tf.grad((value: tf.Tensor) => tf.sum(tf.mul(applyRotaryEmbedding(value, rotary), upstream)))(input);
    // d/dx Σ u·R x = Rᵀ u = rotation of u by −θ.
    const upstreamRows = upstream.arraySync();
    const expected = [3, 4].flatMap((position, token) =>
      referenceRotate(upstreamRows[token]!, [0, 1].map((pair) => -position * Math.pow(10000, (-2 * pair) / 4)), 'interleaved'),
    );
    Array.from(gradient.dataSync()).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
    gradient.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([input, upstream]);
    disposeRotaryEmbedding(rotary);
  });
});
