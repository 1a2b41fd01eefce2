import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { tf } from '../tf.js';

/**
 * Per-channel standardisation `(value - mean[c]) / standardDeviation[c]`, as vision encoders expect (e.g. ImageNet
 * mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225); CLIP and SigLIP use their own).
 *
 * @param images - float32 [batch, height, width, 3] in [0, 1].
 * @param mean - one value per channel. @param standardDeviation - one positive value per channel.
 * @returns float32 [batch, height, width, 3]; the caller owns it.
 */
export function standardizeImages(
  images: tf.Tensor4D,
  mean: readonly [number, number, number],
  standardDeviation: readonly [number, number, number],
): tf.Tensor4D {
  if (!standardDeviation.every((value) => value > 0)) {
    throw new InvalidArgumentError({ argument: 'standardDeviation', message: `must be positive, got [${standardDeviation}]` });
  }
  return tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d([...mean])), tf.tensor1d([...standardDeviation])) as tf.Tensor4D);
}
