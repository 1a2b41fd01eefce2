import { tf, globalNorm as globalNormOf, InvalidArgumentError } from '@reca/runtime';

/** Result of {@link clipGradientsByGlobalNorm}. */
export interface ClippedGradients {
  /** The scaled gradients, same names, shapes and dtypes as the input. New tensors: the caller owns and disposes them. */
  gradients: Record<string, tf.Tensor>;
  /** Global L2 norm of the gradients *before* clipping (may be NaN or Infinity when a gradient is not finite). */
  globalNorm: number;
}

/** What {@link measureGradientClipping} found. */
export interface GradientClipping {
  /** Global L2 norm of the gradients (NaN or Infinity when a gradient is not finite). */
  globalNorm: number;
  /** `min(1, maxNorm / (globalNorm + 1e-6))`, NaN when the norm is NaN: multiply every gradient by it. */
  scale: number;
}

/**
 * The global norm of `gradients` (one fused kernel where the backend has it), read back once, and the clipping scale
 * of PyTorch's `clip_grad_norm_`. For callers that apply the scale themselves (e.g. `AdamW.applyGradients`'
 * `gradientScale`, which saves a pass over every gradient).
 *
 * @param gradients - float32 tensors of any shapes (not disposed).
 * @param maxNorm - largest allowed global norm (> 0).
 */
export async function measureGradientClipping(gradients: readonly tf.Tensor[], maxNorm: number): Promise<GradientClipping> {
  if (!(Number.isFinite(maxNorm) && maxNorm > 0)) {
    throw new InvalidArgumentError({ argument: 'maxNorm', message: `must be a finite number > 0, got ${maxNorm}` });
  }
  if (gradients.length === 0) return { globalNorm: 0, scale: 1 };
  // One asynchronous read: backends without synchronous reads (webgpu in Node) work.
  const norm = globalNormOf(gradients);
  const globalNorm = ((await norm.data()) as Float32Array)[0] as number;
  norm.dispose();
  return gradientClipping(globalNorm, maxNorm);
}

/**
 * The clipping of PyTorch's `clip_grad_norm_` for a global norm already read back: `scale = min(1, maxNorm /
 * (globalNorm + 1e-6))`, NaN when the norm is NaN (it poisons, as in PyTorch).
 */
export function gradientClipping(globalNorm: number, maxNorm: number): GradientClipping {
  const coefficient = maxNorm / (globalNorm + 1e-6);
  return { globalNorm, scale: Number.isNaN(coefficient) ? Number.NaN : Math.min(1, coefficient) };
}

/**
 * Scales gradients so that their global L2 norm is at most `maxNorm`, with PyTorch's `clip_grad_norm_` semantics:
 * `norm = √(Σ ‖g‖²)`, `scale = min(1, maxNorm / (norm + 1e-6))`, every gradient multiplied by `scale`.
 *
 * The norm is computed on the device (one fused kernel where the backend has it) and read back once; the gradients
 * are then multiplied only when the scale is not 1 (clones otherwise). A non-finite norm is returned as is and
 * poisons the scaled gradients (as in PyTorch with `error_if_nonfinite=False`): check
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
  const { globalNorm, scale } = await measureGradientClipping(names.map((name) => gradients[name] as tf.Tensor), maxNorm);
  const clipped = tf.tidy(() => {
    const scaled: Record<string, tf.Tensor> = {};
    const factor = scale === 1 ? undefined : tf.scalar(scale);
    for (const name of names) {
      const gradient = gradients[name] as tf.Tensor;
      scaled[name] = factor === undefined ? gradient.clone() : gradient.mul(gradient.dtype === 'float32' ? factor : factor.cast(gradient.dtype));
    }
    return scaled;
  });
  return { gradients: clipped, globalNorm };
}
