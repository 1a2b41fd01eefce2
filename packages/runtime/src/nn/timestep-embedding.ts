import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { assertPositiveInteger } from './shape-checks.js';

/**
 * Sinusoidal timestep embedding, DiT/ADM convention (`TimestepEmbedder.timestep_embedding`):
 * with `half = ⌊dim/2⌋` and frequencies `f_i = exp(−ln(maxPeriod) · i / half)` for `i < half`,
 * `embedding[b] = [cos(t_b · f_0 … f_{half−1}), sin(t_b · f_0 … f_{half−1})]` — **cosines first, then sines** —
 * plus one zero column when `dim` is odd. (Transformer/diffusers `flip_sin_to_cos=False` puts sines first.)
 *
 * @param timesteps - float32 (or int32) `[batch]`, possibly fractional (flow-matching t ∈ [0, 1] is often scaled
 *   by 1000 first).
 * @param dim - embedding width.
 * @param maxPeriod - the lowest frequency's period. @default 10000
 * @returns float32 `[batch, dim]`; the caller owns it.
 */
export function sinusoidalTimestepEmbedding(timesteps: tf.Tensor, dim: number, maxPeriod = 10000): tf.Tensor2D {
  assertPositiveInteger(dim, 'dim');
  if (timesteps.rank !== 1) {
    throw new ShapeMismatchError({ tensorName: 'timesteps', expected: [null], actual: timesteps.shape, context: 'sinusoidalTimestepEmbedding' });
  }
  const half = Math.floor(dim / 2);
  const frequencies = new Float32Array(half);
  for (let index = 0; index < half; index++) frequencies[index] = Math.exp((-Math.log(maxPeriod) * index) / half);
  return tf.tidy(() => {
    const batchSize = timesteps.shape[0] as number;
    const angles = tf.mul(tf.reshape(tf.cast(timesteps, 'float32'), [batchSize, 1]), tf.tensor2d(frequencies, [1, half]));
    const parts = [tf.cos(angles), tf.sin(angles)];
    if (dim % 2 === 1) parts.push(tf.zeros([batchSize, 1]));
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}
