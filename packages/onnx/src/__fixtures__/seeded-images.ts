import { type SeededRandom, tf } from '@reca/runtime';

/** float32 `[batch, size, size, channels]` uniform in [0, 1] from `random`; the caller owns it. */
export function seededImages(random: SeededRandom, batch: number, size: number, channels = 3): tf.Tensor4D {
  return tf.tensor4d(random.uniformArray(batch * size * size * channels), [batch, size, size, channels], 'float32');
}
