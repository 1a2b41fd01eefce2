import { tf } from '../tf.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel } from '../fused/has-fused-kernel.js';
import { runFusedOp } from '../fused/run-fused-op.js';

/**
 * `input · weightᵀ + bias` over the last dimension (PyTorch's `F.linear`, weight in PyTorch's `[out, in]` layout).
 *
 * Runs the backend's fused `RecaLinear` kernel (and `RecaLinearGrad`) where it has one — one kernel each way instead
 * of the reshapes, product, bias add and their gradients; elsewhere it flattens the leading dimensions and uses
 * `tf.fused.matMul` (the bias added inside the product where the backend fuses it).
 *
 * @param input - float32 `[..., in]` (rank ≥ 1).
 * @param weight - float32 `[out, in]`.
 * @param bias - float32 `[out]`, or null.
 * @returns float32 `[..., out]`; the caller owns it.
 */
export function linear(input: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  const outFeatures = weight.shape[0] as number;
  const inFeatures = weight.shape[1] as number;
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.linear)) {
    return runFusedOp({ forwardKernel: fusedKernelNames.linear, gradientKernel: fusedKernelNames.linearGrad, inputs: { x: input, weight, bias } });
  }
  return tf.tidy(() => {
    const flat = tf.reshape(input, [-1, inFeatures]);
    const output = bias ? tf.fused.matMul({ a: flat, b: weight, transposeB: true, bias }) : tf.matMul(flat, weight, false, true);
    return tf.reshape(output, [...input.shape.slice(0, -1), outFeatures]);
  });
}
