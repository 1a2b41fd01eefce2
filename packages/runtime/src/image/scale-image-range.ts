import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { tf } from '../tf.js';

/** A closed value range `[low, high]`, e.g. `[0, 1]` for images as stored or `[-1, 1]` for a diffusion model. */
export type ValueRange = readonly [number, number];

/**
 * Maps values linearly from one range to another: `low_to + (value - low_from) * (high_to - low_to) / (high_from - low_from)`.
 * `scaleImageRange(images, [0, 1], [-1, 1])` is the usual normalisation to a model's range; swap the ranges to undo it.
 *
 * @param images - float32 of any shape, nominally in `from`.
 * @param from - the input range. @param to - the output range.
 * @returns float32, same shape, in `to` (values outside `from` map outside `to`; nothing is clamped); the caller owns it.
 */
export function scaleImageRange(images: tf.Tensor, from: ValueRange, to: ValueRange): tf.Tensor {
  const [fromLow, fromHigh] = from;
  const [toLow, toHigh] = to;
  if (!(fromHigh > fromLow) || !(toHigh > toLow)) {
    throw new InvalidArgumentError({ argument: 'from/to', message: `ranges need low < high, got [${from}] → [${to}]` });
  }
  const scale = (toHigh - toLow) / (fromHigh - fromLow);
  return tf.tidy(() => tf.add(tf.mul(tf.sub(images, fromLow), scale), toLow));
}
