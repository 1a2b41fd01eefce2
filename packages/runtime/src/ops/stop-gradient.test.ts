import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { stopGradient } from './stop-gradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('stopGradient', () => {
  it('is the identity in the forward pass', () => {
    const input = tf.tensor2d([[1, -2, 3], [0.5, 4, -6]]);
    const output = stopGradient(input);
    expect(output.shape).toEqual([2, 3]);
    expect(Array.from(output.dataSync())).toEqual([1, -2, 3, 0.5, 4, -6]);
    tf.dispose([input, output]);
  });

  it('blocks the gradient of the path through it and keeps the others', () => {
    const input = tf.tensor1d([1, -2, 3]);
    // f(x) = sum(sg(x) · x): df/dx = sg(x) = x, where without the stop it would be 2x.
    const gradient = tf.grad((value: tf.Tensor) => tf.sum(tf.mul(stopGradient(value), value)))(input);
    expect(Array.from(gradient.dataSync())).toEqual([1, -2, 3]);
    const blocked = tf.grad((value: tf.Tensor) => tf.sum(tf.square(stopGradient(value))))(input);
    expect(Array.from(blocked.dataSync())).toEqual([0, 0, 0]);
    tf.dispose([input, gradient, blocked]);
  });

  it('leaves no tensor behind', () => {
    const input = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((value: tf.Tensor) => tf.sum(tf.mul(stopGradient(value), value)))(input);
    });
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });
});
