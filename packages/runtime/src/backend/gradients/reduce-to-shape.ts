import { tf } from '../../tf.js';

/**
 * Sums a broadcast gradient back to an input's shape (over the dimensions the input was broadcast along).
 * @param gradient - float32, the shape of the broadcast result.
 * @param shape - the input's shape.
 * @returns float32 `shape`. The caller (a gradient function, inside the engine's tidy) owns it.
 */
export function reduceToShape(gradient: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes([...shape], gradient.shape);
  const reduced = axes.length > 0 ? tf.sum(gradient, axes) : gradient;
  return tf.reshape(reduced, [...shape]);
}
