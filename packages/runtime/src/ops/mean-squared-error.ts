import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';

/**
 * Mean squared error over all elements: `mean((prediction - target)²)`, PyTorch's `F.mse_loss` with
 * `reduction='mean'`. The flow-matching loss (target `ε − x0`) and MAR's ε-prediction loss use it.
 *
 * @param prediction - float32 tensor of any shape.
 * @param target - float32 tensor of the same shape as `prediction`.
 * @returns float32 scalar; the caller owns it.
 */
export function meanSquaredError(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  if (!sameShape(prediction.shape, target.shape)) {
    throw new ShapeMismatchError({
      tensorName: 'target',
      expected: prediction.shape,
      actual: target.shape,
      context: 'meanSquaredError (target must have the shape of prediction)',
    });
  }
  return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target)) as tf.Scalar);
}

function sameShape(first: readonly number[], second: readonly number[]): boolean {
  return first.length === second.length && first.every((size, index) => size === second[index]);
}
