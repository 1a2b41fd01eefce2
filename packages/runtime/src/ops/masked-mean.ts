import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';

/** Options of {@link maskedMean}. */
export interface MaskedMeanOptions {
  /**
   * Lower bound of the denominator, so an all-zero mask gives 0 rather than NaN.
   * @default 1e-8
   */
  epsilon?: number;
}

/**
 * Mean of `values` over the positions selected by `mask`: `sum(values · mask) / max(sum(mask), epsilon)`, where
 * `mask` is first broadcast to the shape of `values` (so a mask `[batch, tokens, 1]` over values
 * `[batch, tokens, channels]` averages over every selected element). MAR's diffusion loss
 * (`(loss * mask).sum() / mask.sum()`) is this with a 0/1 mask over tokens.
 *
 * Differentiable with respect to `values` (and to `mask` when it is a float tensor).
 *
 * @param values - float32 tensor of any shape.
 * @param mask - float32 weights, 0/1 or soft, or a bool tensor; its shape must broadcast to `values`'s shape.
 * @returns float32 scalar; the caller owns it.
 */
export function maskedMean(values: tf.Tensor, mask: tf.Tensor, options: MaskedMeanOptions = {}): tf.Scalar {
  const { epsilon = 1e-8 } = options;
  if (!broadcastsTo(mask.shape, values.shape)) {
    throw new ShapeMismatchError({
      tensorName: 'mask',
      expected: values.shape,
      actual: mask.shape,
      context: 'maskedMean (mask must broadcast to the shape of values)',
    });
  }
  return tf.tidy(() => {
    const weights = mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
    const broadcastWeights = tf.broadcastTo(weights, values.shape);
    const numerator = tf.sum(tf.mul(values, broadcastWeights));
    const denominator = tf.maximum(tf.sum(broadcastWeights), tf.scalar(epsilon));
    return tf.div(numerator, denominator) as tf.Scalar;
  });
}

/** True when a tensor of shape `from` broadcasts (numpy rules) to exactly `to`. */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const offset = to.length - from.length;
  return from.every((size, index) => size === 1 || size === to[index + offset]);
}
