import { tf } from '../tf.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel, runFusedKernel } from '../fused/has-fused-kernel.js';

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
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.rmsNorm)) return fusedRmsNormalization(input, weight, epsilon);
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(input), -1, true);
    const output = tf.mul(input, tf.rsqrt(tf.add(meanSquare, tf.scalar(epsilon))));
    return weight ? tf.mul(output, weight) : output;
  });
}

function fusedRmsNormalization(input: tf.Tensor, weight: tf.Tensor | null, epsilon: number): tf.Tensor {
  const attrs = { epsilon };
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, w] = args as [tf.Tensor, tf.Tensor | undefined];
    save(w === undefined ? [x] : [x, w]);
    const inputs: tf.NamedTensorMap = w === undefined ? { x } : { x, weight: w };
    return {
      value: runFusedKernel(fusedKernelNames.rmsNorm, inputs, attrs)[0] as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const gradientInputs: tf.NamedTensorMap = { dy: dy as tf.Tensor, x: saved[0] as tf.Tensor };
        if (saved[1] !== undefined) gradientInputs['weight'] = saved[1];
        return runFusedKernel(fusedKernelNames.rmsNormGrad, gradientInputs, attrs);
      },
    };
  });
  return weight === null ? normalize(input) : normalize(input, weight);
}
