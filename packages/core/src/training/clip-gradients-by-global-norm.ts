import { tf, InvalidArgumentError } from '@reca/runtime';

/** Result of {@link clipGradientsByGlobalNorm}. */
export interface ClippedGradients {
  /** The scaled gradients, same names, shapes and dtypes as the input. New tensors: the caller owns and disposes them. */
  gradients: Record<string, tf.Tensor>;
  /** Global L2 norm of the gradients *before* clipping (may be NaN or Infinity when a gradient is not finite). */
  globalNorm: number;
}

/**
 * Scales gradients so that their global L2 norm is at most `maxNorm`, with PyTorch's `clip_grad_norm_` semantics:
 * `norm = √(Σ ‖g‖²)`, `scale = min(1, maxNorm / (norm + 1e-6))`, every gradient multiplied by `scale`.
 *
 * Everything runs on the device; the norm is read back once, after the scaled gradients are queued. A non-finite
 * norm is returned as is and poisons the scaled gradients (as in PyTorch with `error_if_nonfinite=False`): check
 * with `findNonFiniteGradients` first, or test `Number.isFinite(globalNorm)` before applying them.
 *
 * @param gradients - float32 gradients of any shapes, keyed by parameter name. Not disposed: the caller still owns them.
 * @param maxNorm - largest allowed global norm (> 0); RecA uses 1.0.
 * @returns new tensors (caller owns) and the pre-clipping norm as a number. An empty record gives `{}` and norm 0.
 */
export async function clipGradientsByGlobalNorm(
  gradients: Record<string, tf.Tensor>,
  maxNorm: number,
): Promise<ClippedGradients> {
  if (!(Number.isFinite(maxNorm) && maxNorm > 0)) {
    throw new InvalidArgumentError({ argument: 'maxNorm', message: `must be a finite number > 0, got ${maxNorm}` });
  }
  const names = Object.keys(gradients);
  if (names.length === 0) return { gradients: {}, globalNorm: 0 };
  const { clipped, norm } = tf.tidy(() => {
    const squaredNorms = names.map((name) => (gradients[name] as tf.Tensor).square().sum());
    const globalNorm = tf.sqrt(squaredNorms.length === 1 ? (squaredNorms[0] as tf.Tensor) : tf.addN(squaredNorms));
    const scale = tf.minimum(tf.scalar(1), tf.scalar(maxNorm).div(globalNorm.add(tf.scalar(1e-6))));
    const scaled: Record<string, tf.Tensor> = {};
    for (const name of names) {
      const gradient = gradients[name] as tf.Tensor;
      scaled[name] = tf.keep(gradient.mul(gradient.dtype === 'float32' ? scale : scale.cast(gradient.dtype)));
    }
    return { clipped: scaled, norm: tf.keep(globalNorm) };
  });
  // One asynchronous read: backends without synchronous reads (webgpu in Node) work, and the GPU queue is not drained
  // earlier than needed.
  const globalNorm = ((await norm.data()) as Float32Array)[0] as number;
  norm.dispose();
  return { gradients: clipped, globalNorm };
}
