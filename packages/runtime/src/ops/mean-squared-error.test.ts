import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { meanSquaredError } from './mean-squared-error.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('meanSquaredError', () => {
  it('is the mean of squared differences, with gradient 2(p − t)/n', () => {
    const prediction = tf.tensor2d([[1, 2], [3, 4]]);
    const target = tf.tensor2d([[0, 2], [5, 3.5]]);
    const loss = meanSquaredError(prediction, target);
    expect(loss.dataSync()[0]).toBeCloseTo((1 + 0 + 4 + 0.25) / 4, 6);
    const gradient = tf.grad((input: tf.Tensor) => meanSquaredError(input, target))(prediction);
    const values = Array.from(gradient.dataSync());
    [0.5, 0, -1, 0.25].forEach((expected, index) => expect(values[index]).toBeCloseTo(expected, 6));
    tf.dispose([prediction, target, loss, gradient]);
  });

  it('throws ShapeMismatchError when the shapes differ (no silent broadcasting)', () => {
    const prediction = tf.zeros([2, 3]);
    const target = tf.zeros([1, 3]);
    expect(() => meanSquaredError(prediction, target)).toThrow(ShapeMismatchError);
    tf.dispose([prediction, target]);
  });
});
