import { tf } from '../tf.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel, runFusedKernel } from '../fused/has-fused-kernel.js';

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
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.layerNorm)) return fusedLayerNormalization(input, weight, bias, epsilon);
  return tf.tidy(() => {
    const centered = tf.sub(input, tf.mean(input, -1, true));
    const variance = tf.mean(tf.square(centered), -1, true);
    let output = tf.mul(centered, tf.rsqrt(tf.add(variance, tf.scalar(epsilon))));
    if (weight) output = tf.mul(output, weight);
    if (bias) output = tf.add(output, bias);
    return output;
  });
}

function fusedLayerNormalization(input: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null, epsilon: number): tf.Tensor {
  const attrs = { epsilon };
  const parameters = [weight, bias].filter((tensor): tensor is tf.Tensor => tensor !== null);
  const namedInputs = (x: tf.Tensor, rest: tf.Tensor[]): tf.NamedTensorMap => {
    const inputs: tf.NamedTensorMap = { x };
    if (weight) inputs['weight'] = rest[0] as tf.Tensor;
    if (bias) inputs['bias'] = rest[weight ? 1 : 0] as tf.Tensor;
    return inputs;
  };
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, ...rest] = args as tf.Tensor[];
    save([x as tf.Tensor, ...rest]);
    return {
      value: runFusedKernel(fusedKernelNames.layerNorm, namedInputs(x as tf.Tensor, rest), attrs)[0] as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [savedInput, ...savedParameters] = saved;
        return runFusedKernel(fusedKernelNames.layerNormGrad, { dy: dy as tf.Tensor, ...namedInputs(savedInput as tf.Tensor, savedParameters) }, attrs);
      },
    };
  });
  return normalize(input, ...parameters);
}
