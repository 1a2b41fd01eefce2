import { tf } from '../tf.js';

/**
 * Nearest-neighbour upsampling by 2 (PyTorch's `F.interpolate(x, scale_factor=2, mode='nearest')`), written with
 * reshape and tile only (every intermediate rank ≤ 4, differentiable on every backend).
 *
 * @param input - float32 `[batch, height, width, channels]`.
 * @returns float32 `[batch, 2·height, 2·width, channels]`; the caller owns it.
 */
export function upsampleNearest2x(input: tf.Tensor4D): tf.Tensor4D {
  const [batchSize, height, width, channels] = input.shape;
  return tf.tidy(() => {
    const rows = tf.reshape(input, [batchSize * height, width, 1, channels]);
    const wide = tf.reshape(tf.tile(rows, [1, 1, 2, 1]), [batchSize * height, 1, 2 * width, channels]); // each column twice
    const tall = tf.tile(wide, [1, 2, 1, 1]); // each row twice
    return tf.reshape(tall, [batchSize, 2 * height, 2 * width, channels]) as tf.Tensor4D;
  });
}
