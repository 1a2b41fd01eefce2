import { tf } from '../../tf.js';
import type { GradientFix } from './gradient-fix.js';

/**
 * The gradient of a cumulative sum is the cumulative sum of the upstream gradient in the opposite direction (same
 * axis and exclusivity). tfjs-core 4.22 transposes that result once more, which breaks every axis but the last (shape
 * error) and negative axes.
 */
export const cumsumGradientFix: GradientFix = {
  id: 'gradient:Cumsum',
  description: 'tfjs-core 4.22 transposes the result again: wrong for any axis but the last, throws for negative axes.',
  config: {
    kernelName: 'Cumsum',
    inputsToSave: ['x'],
    gradFunc: (dy, _saved, attrs) => {
      const { axis, exclusive, reverse } = attrs as unknown as tf.CumsumAttrs;
      const upstream = dy as tf.Tensor;
      const positiveAxis = axis < 0 ? axis + upstream.rank : axis;
      return { x: () => tf.cumsum(upstream, positiveAxis, exclusive, !reverse) };
    },
  },
};
