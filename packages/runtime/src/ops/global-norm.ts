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
    return fusedGlobalNorm(tensors);
  }
  return tf.tidy(() => {
    if (tensors.length === 0) return tf.scalar(0);
    const squares = tensors.map((tensor) => tf.sum(tf.square(tensor)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

/** The fused norm, differentiable: ∂‖x‖/∂xᵢ = xᵢ / ‖x‖ (composed ops; saving costs nothing outside a gradient tape). */
function fusedGlobalNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  const norm = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const inputs = args as tf.Tensor[];
    const named: tf.NamedTensorMap = {};
    inputs.forEach((tensor, index) => (named[`tensor${index}`] = tensor));
    const value = runFusedKernel(fusedKernelNames.globalNorm, named, {})[0] as tf.Tensor;
    save([...inputs, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const savedNorm = saved[saved.length - 1] as tf.Tensor;
        const factor = tf.div(dy as tf.Tensor, savedNorm);
        return saved.slice(0, -1).map((tensor) => tf.mul(tensor, factor));
      },
    };
  });
  return norm(...tensors) as tf.Scalar;
}
