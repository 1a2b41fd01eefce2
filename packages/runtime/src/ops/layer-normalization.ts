import { tf } from '../tf.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel } from '../fused/has-fused-kernel.js';
import { runFusedOp } from '../fused/run-fused-op.js';

/**
 * Layer normalisation over the last dimension (PyTorch's `F.layer_norm(x, [C], weight, bias, eps)`):
 * `y = (x − mean) / √(var + ε) · weight + bias`, with the biased (population) variance.
 *
 * Runs the backend's fused `RecaLayerNorm` kernel (and `RecaLayerNormGrad` for the gradient) when it has one, and
 * composes plain tfjs ops otherwise; both give the same values and gradients (to float32 rounding).
 *
 * @param input - float32 `[..., C]`.
 * @param weight - float32 `[C]` scale, or null for none.
 * @param bias - float32 `[C]` shift, or null for none.
 * @param epsilon - added to the variance.
 * @returns float32 of the shape of `input`; the caller owns it.
 */
export function layerNormalization(input: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null, epsilon: number): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.layerNorm)) {
    return runFusedOp({ forwardKernel: fusedKernelNames.layerNorm, gradientKernel: fusedKernelNames.layerNormGrad, inputs: { x: input, weight, bias }, attrs: { epsilon } });
  }
  return tf.tidy(() => {
    const centered = tf.sub(input, tf.mean(input, -1, true));
    const variance = tf.mean(tf.square(centered), -1, true);
    let output = tf.mul(centered, tf.rsqrt(tf.add(variance, tf.scalar(epsilon))));
    if (weight) output = tf.mul(output, weight);
    if (bias) output = tf.add(output, bias);
    return output;
  });
}
