import { tf } from '../tf.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel, runFusedKernel } from '../fused/has-fused-kernel.js';

/**
 * The global L2 norm of a list of tensors, `sqrt(Σ_tensors Σ_elements value²)`, as used by gradient clipping
 * (PyTorch's `clip_grad_norm_` total norm with `norm_type=2`). An empty list gives 0. One fused `RecaGlobalNorm` call
 * where the backend has it (instead of two kernels per tensor).
 *
 * @param tensors - float32 tensors of any shapes.
 * @returns float32 scalar; the caller owns it.
 */
export function globalNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  if (tensors.length > 0 && tensors.every((tensor) => tensor.dtype === 'float32') && hasFusedKernel(fusedKernelNames.globalNorm)) {
    const inputs: tf.NamedTensorMap = {};
    tensors.forEach((tensor, index) => (inputs[`tensor${index}`] = tensor));
    return runFusedKernel(fusedKernelNames.globalNorm, inputs, {})[0] as tf.Scalar;
  }
  return tf.tidy(() => {
    if (tensors.length === 0) return tf.scalar(0);
    const squares = tensors.map((tensor) => tf.sum(tf.square(tensor)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}
