import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { maskedMean } from './masked-mean.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('maskedMean', () => {
  it('averages only the selected elements', () => {
    const values = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const mask = tf.tensor2d([[1, 0, 1], [0, 0, 1]]);
    const result = maskedMean(values, mask);
    expect(result.dataSync()[0]).toBeCloseTo((1 + 3 + 6) / 3, 6);
    tf.dispose([values, mask, result]);
  });

  it('broadcasts a token mask over channels and accepts bool masks', () => {
    const values = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    const mask = tf.tensor3d([[[1], [0]], [[0], [1]]]).cast('bool');
    const result = maskedMean(values, mask);
    expect(result.dataSync()[0]).toBeCloseTo((1 + 2 + 7 + 8) / 4, 6);
    tf.dispose([values, mask, result]);
  });

  it('weights soft masks and returns 0 (not NaN) for an empty mask', () => {
    const values = tf.tensor1d([2, 4]);
    const soft = tf.tensor1d([0.25, 0.75]);
    const empty = tf.zeros([2]);
    const weighted = maskedMean(values, soft);
    const none = maskedMean(values, empty);
    expect(weighted.dataSync()[0]).toBeCloseTo((0.5 + 3) / 1, 6);
    expect(none.dataSync()[0]).toBe(0);
    tf.dispose([values, soft, empty, weighted, none]);
  });

  it('has gradient mask / sum(mask) with respect to the values', () => {
    const values = tf.tensor1d([1, 2, 3, 4]);
    const mask = tf.tensor1d([1, 0, 1, 1]);
    const gradient = tf.grad((input: tf.Tensor) => maskedMean(input, mask))(values);
    const gradientValues = Array.from(gradient.dataSync());
    [1 / 3, 0, 1 / 3, 1 / 3].forEach((expected, index) => expect(gradientValues[index]).toBeCloseTo(expected, 6));
    tf.dispose([values, mask, gradient]);
  });

  it('throws ShapeMismatchError naming the mask when it does not broadcast', () => {
    const values = tf.zeros([2, 3]);
    const mask = tf.zeros([3, 2]);
    expect(() => maskedMean(values, mask)).toThrow(ShapeMismatchError);
    expect(() => maskedMean(values, mask)).toThrow(/'mask'/);
    tf.dispose([values, mask]);
  });
});
