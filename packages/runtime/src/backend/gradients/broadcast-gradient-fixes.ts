import { tf } from '../../tf.js';
import type { GradientFix } from './gradient-fix.js';
import { reduceToShape } from './reduce-to-shape.js';

/** d/da (a − b)² = 2(a − b), d/db = −2(a − b); reduced over broadcast dimensions (tfjs-core 4.22 does not reduce). */
export const squaredDifferenceGradientFix: GradientFix = {
  id: 'gradient:SquaredDifference',
  description: 'tfjs-core 4.22 returns unreduced gradients for broadcast inputs (shape error).',
  config: {
    kernelName: 'SquaredDifference',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const upstream = dy as tf.Tensor;
      const twiceDifference = () => tf.mul(upstream, tf.mul(2, tf.sub(a, b)));
      return {
        a: () => reduceToShape(twiceDifference(), a.shape),
        b: () => reduceToShape(tf.neg(twiceDifference()), b.shape),
      };
    },
  },
};

/** Maximum: the gradient goes to `a` where a ≥ b, else to `b` (tfjs's tie rule), reduced over broadcast dimensions. */
export const maximumGradientFix: GradientFix = {
  id: 'gradient:Maximum',
  description: 'tfjs-core 4.22 throws for broadcast inputs.',
  config: {
    kernelName: 'Maximum',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const upstream = dy as tf.Tensor;
      return {
        a: () => reduceToShape(tf.mul(upstream, tf.cast(tf.greaterEqual(a, b), 'float32')), a.shape),
        b: () => reduceToShape(tf.mul(upstream, tf.cast(tf.less(a, b), 'float32')), b.shape),
      };
    },
  },
};

/** Minimum: the gradient goes to `a` where a ≤ b, else to `b` (tfjs's tie rule), reduced over broadcast dimensions. */
export const minimumGradientFix: GradientFix = {
  id: 'gradient:Minimum',
  description: 'tfjs-core 4.22 throws for broadcast inputs.',
  config: {
    kernelName: 'Minimum',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const upstream = dy as tf.Tensor;
      return {
        a: () => reduceToShape(tf.mul(upstream, tf.cast(tf.lessEqual(a, b), 'float32')), a.shape),
        b: () => reduceToShape(tf.mul(upstream, tf.cast(tf.greater(a, b), 'float32')), b.shape),
      };
    },
  },
};
