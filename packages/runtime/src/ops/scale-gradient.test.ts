import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { scaleGradient } from './scale-gradient.js';
import { numericalGradient } from './numerical-gradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('scaleGradient', () => {
  it('is the identity in the forward pass', () => {
    const input = tf.tensor1d([1.5, -2, 0]);
    const output = scaleGradient(input, 0.1);
    expect(Array.from(output.dataSync())).toEqual([1.5, -2, 0]);
    tf.dispose([input, output]);
  });

  it('multiplies the true gradient (finite differences) by the scale', () => {
    const variable = tf.variable(tf.tensor2d([[0.3, -1.2], [2.0, 0.7]]));
    const weights = tf.tensor2d([[1, 2], [-3, 0.5]]);
    const loss = () => tf.sum(tf.mul(tf.sin(scaleGradient(variable, 0.1)), weights)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, [variable]);
    const analytic = grads[variable.name]!.dataSync();
    // The forward pass is the identity, so finite differences see the unscaled gradient.
    const numerical = numericalGradient(loss, variable, { epsilon: 1e-2 });
    const expected = [0.3, -1.2, 2.0, 0.7].map((value, index) => 0.1 * Math.cos(value) * [1, 2, -3, 0.5][index]!);
    analytic.forEach((value, index) => {
      expect(value).toBeCloseTo(expected[index]!, 5);
      expect(value).toBeCloseTo(0.1 * numerical[index]!, 3);
    });
    tf.dispose([variable, weights, grads[variable.name]!]);
  });

  it('gives a zero gradient for scale 0 and rejects a non-finite scale', () => {
    const input = tf.tensor1d([1, 2]);
    const gradient = tf.grad((value: tf.Tensor) => tf.sum(tf.square(scaleGradient(value, 0))))(input);
    expect(Array.from(gradient.dataSync())).toEqual([0, 0]);
    expect(() => scaleGradient(input, Number.NaN)).toThrow(InvalidArgumentError);
    tf.dispose([input, gradient]);
  });
});
