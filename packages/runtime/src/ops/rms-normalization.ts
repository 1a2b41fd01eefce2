import { tf } from '../tf.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel } from '../fused/has-fused-kernel.js';
import { runFusedOp } from '../fused/run-fused-op.js';

/**
 * Root-mean-square normalisation over the last dimension (LLaMA's RMSNorm): `x / √(mean(x²) + ε) · weight`.
 *
 * Runs the backend's fused `RecaRmsNorm` kernel (and `RecaRmsNormGrad`) where it has one; composes tfjs ops otherwise.
 *
 * @param input - float32 `[..., C]`.
 * @param weight - float32 `[C]` scale, or null.
 * @param epsilon - added to the mean square.
 * @returns float32 of the shape of `input`; the caller owns it.
 */
export function rmsNormalization(input: tf.Tensor, weight: tf.Tensor | null, epsilon: number): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.rmsNorm)) {
    return runFusedOp({ forwardKernel: fusedKernelNames.rmsNorm, gradientKernel: fusedKernelNames.rmsNormGrad, inputs: { x: input, weight }, attrs: { epsilon } });
  }
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(input), -1, true);
    const output = tf.mul(input, tf.rsqrt(tf.add(meanSquare, tf.scalar(epsilon))));
    return weight ? tf.mul(output, weight) : output;
  });
}
