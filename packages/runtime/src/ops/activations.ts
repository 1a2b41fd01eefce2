import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel, runFusedKernel } from '../fused/has-fused-kernel.js';

const tanhGeluCoefficient = Math.sqrt(2 / Math.PI);

/**
 * GELU with the tanh approximation (PyTorch's `GELU(approximate='tanh')`, used by DiT and GPT-2):
 * `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`. Fused (`RecaGelu`) where the backend has it.
 *
 * @param input - float32 tensor of any shape.
 * @returns float32 tensor of the same shape; the caller owns it.
 */
export function geluTanh(input: tf.Tensor): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.gelu)) return fusedGelu(input, 'tanh');
  return tf.tidy(() => {
    const cubic = tf.mul(tf.pow(input, tf.scalar(3)), tf.scalar(0.044715));
    const inner = tf.mul(tf.add(input, cubic), tf.scalar(tanhGeluCoefficient));
    return tf.mul(tf.mul(input, tf.scalar(0.5)), tf.add(tf.tanh(inner), tf.scalar(1)));
  });
}

/**
 * Exact GELU (PyTorch's default `GELU()`, timm's `Mlp`): `0.5 · x · (1 + erf(x / √2))`.
 *
 * @param input - float32 tensor of any shape.
 * @returns float32 tensor of the same shape; the caller owns it.
 */
export function geluErf(input: tf.Tensor): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.gelu)) return fusedGelu(input, 'none');
  return tf.tidy(() => tf.mul(tf.mul(input, tf.scalar(0.5)), tf.add(tf.erf(tf.mul(input, tf.scalar(Math.SQRT1_2))), tf.scalar(1))));
}

/** GELU through the backend's `RecaGelu` / `RecaGeluGrad` kernels (PyTorch's `F.gelu(x, approximate)`). */
function fusedGelu(input: tf.Tensor, approximate: 'tanh' | 'none'): tf.Tensor {
  const attrs = { approximate };
  const gelu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: runFusedKernel(fusedKernelNames.gelu, { x }, attrs)[0] as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        runFusedKernel(fusedKernelNames.geluGrad, { dy: dy as tf.Tensor, x: saved[0] as tf.Tensor }, attrs)[0] as tf.Tensor,
    };
  });
  return gelu(input);
}

/**
 * SiLU / swish: `x · sigmoid(x)` (PyTorch's `SiLU`, LLaMA's SwiGLU gate, DiT's AdaLN input).
 *
 * @param input - float32 tensor of any shape.
 * @returns float32 tensor of the same shape; the caller owns it.
 */
export function silu(input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(input, tf.sigmoid(input)));
}

/** Names of the activations {@link applyActivation} knows. */
export type ActivationName = 'gelu-tanh' | 'gelu' | 'silu' | 'relu' | 'identity';

/**
 * Applies the activation named `name` (`'gelu'` is the exact erf form).
 *
 * @param input - float32 tensor of any shape.
 * @returns float32 tensor of the same shape; the caller owns it.
 */
export function applyActivation(input: tf.Tensor, name: ActivationName): tf.Tensor {
  switch (name) {
    case 'gelu-tanh':
      return geluTanh(input);
    case 'gelu':
      return geluErf(input);
    case 'silu':
      return silu(input);
    case 'relu':
      return tf.relu(input);
    case 'identity':
      return input.clone();
    default: {
      const unknown: never = name;
      throw new InvalidArgumentError({
        argument: 'name',
        message: `unknown activation '${String(unknown)}'; expected one of gelu-tanh, gelu, silu, relu, identity`,
      });
    }
  }
}
