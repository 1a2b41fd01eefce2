import { tf } from '../tf.js';

/**
 * Runs `compute` with the gradient tape paused and returns its result (PyTorch's `with torch.no_grad():` block):
 * nothing inside is recorded, so the engine saves no tensors for a backward pass there, and no gradient flows through
 * the result. Use it for frozen sub-networks inside a loss (a frozen VAE encoder): {@link stopGradient} on their
 * output gives the same gradients but records, and keeps alive until the backward pass, every op they run.
 *
 * How: `compute` runs as the forward function of a `tf.customGrad` op without inputs; tfjs does not record ops
 * inside an op's forward function. TensorFlow.js has no public way to pause the tape.
 *
 * @param compute - synchronous; its intermediate tensors are freed when it returns (it runs in a `tidy`). It should
 *   return a new tensor (an existing one returned as is would then be owned by two callers: clone it).
 * @returns `compute`'s tensor; the caller owns it.
 */
export function withoutGradient<T extends tf.Tensor>(compute: () => T): T {
  return tf.customGrad(() => ({ value: compute(), gradFunc: () => [] }))() as T;
}
