import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { gradientCheck, gradientToleranceRatio, numericalGradient } from './numerical-gradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('numericalGradient', () => {
  it('approximates a known gradient and restores the variable', () => {
    const variable = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const loss = () => tf.sum(tf.pow(variable, tf.scalar(3))) as tf.Scalar;
    const before = tf.memory().numTensors;
    const gradient = numericalGradient(loss, variable);
    expect(tf.memory().numTensors).toBe(before);
    [0.5, -1, 2].forEach((value, index) => expect(gradient[index]).toBeCloseTo(3 * value * value, 2));
    expect(Array.from(variable.dataSync())).toEqual([0.5, -1, 2]);
    variable.dispose();
  });

  it('flags a wrong analytic gradient', () => {
    expect(gradientToleranceRatio([1, 2], [1, 2])).toBe(0);
    expect(gradientToleranceRatio([1, 2.5], [1, 2])).toBeGreaterThan(1);
    const variable = tf.variable(tf.tensor1d([0.3, 0.7]));
    // A custom op whose declared gradient is wrong (2× the truth) must fail the check.
    const wrong = tf.customGrad((...inputs) => ({
      value: tf.square(inputs[0] as tf.Tensor),
      gradFunc: (upstream: tf.Tensor) => tf.mul(upstream, tf.mul(inputs[0] as tf.Tensor, tf.scalar(4))),
    }));
    const [ratio] = gradientCheck(() => tf.sum(wrong(variable)) as tf.Scalar, [variable]);
    expect(ratio).toBeGreaterThan(1);
    const [good] = gradientCheck(() => tf.sum(tf.square(variable)) as tf.Scalar, [variable]);
    expect(good).toBeLessThanOrEqual(1);
    variable.dispose();
  });
});
