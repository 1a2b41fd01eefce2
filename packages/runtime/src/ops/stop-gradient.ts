import { tf } from '../tf.js';

const stopGradientOp = tf.customGrad((...inputs) => ({
  value: (inputs[0] as tf.Tensor).clone(),
  gradFunc: (upstream: tf.Tensor) => tf.zerosLike(upstream),
}));

/**
 * Identity in the forward pass, zero gradient in the backward pass (PyTorch's `tensor.detach()`, JAX's
 * `stop_gradient`). TensorFlow.js has no such op; this one is built with `tf.customGrad`.
 *
 * Used where RecA conditions generation on features of a frozen understanding encoder (BAGEL, OpenUni, Show-o's CLIP).
 *
 * @param input - a tensor of any shape and float dtype.
 * @returns a new tensor equal to `input` (same shape and dtype); the caller owns it. Gradients through it are zero.
 */
export function stopGradient<T extends tf.Tensor>(input: T): T {
  return stopGradientOp(input) as T;
}
