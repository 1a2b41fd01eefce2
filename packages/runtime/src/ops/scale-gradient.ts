import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/**
 * Identity in the forward pass; multiplies the incoming gradient by `scale` in the backward pass.
 *
 * RecA uses `scale = 0.1` on the understanding features of models whose understanding encoder is shared and trained
 * (Harmon), so the reconstruction loss shapes the encoder only gently. `scale = 0` behaves like {@link stopGradient}.
 *
 * @param input - a tensor of any shape and float dtype.
 * @param scale - a finite number multiplied into the gradient.
 * @returns a new tensor equal to `input` (same shape and dtype); the caller owns it.
 */
export function scaleGradient<T extends tf.Tensor>(input: T, scale: number): T {
  if (!Number.isFinite(scale)) {
    throw new InvalidArgumentError({ argument: 'scale', message: `must be a finite number, got ${scale}` });
  }
  const scaled = tf.customGrad((...inputs) => ({
    value: (inputs[0] as tf.Tensor).clone(),
    gradFunc: (upstream: tf.Tensor) => tf.mul(upstream, tf.scalar(scale, upstream.dtype)),
  }));
  return scaled(input) as T;
}
