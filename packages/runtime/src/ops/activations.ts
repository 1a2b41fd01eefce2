import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel } from '../fused/has-fused-kernel.js';
import { runFusedOp } from '../fused/run-fused-op.js';

const tanhGeluCoefficient = Math.sqrt(2 / Math.PI);

/**
 * GELU with the tanh approximation (PyTorch's `GELU(approximate='tanh')`, used by DiT and GPT-2):
 * `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`. Fused (`RecaGelu`) where the backend has it.
 *
 * @param input - float32 tensor of any shape.
 * @returns float32 tensor of the same shape; the caller owns it.
 */
export function geluTanh(input: tf.Tensor): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.gelu)) return runFusedOp({ forwardKernel: fusedKernelNames.gelu, gradientKernel: fusedKernelNames.geluGrad, inputs: { x: input }, attrs: { approximate: 'tanh' } });
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
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.gelu)) return runFusedOp({ forwardKernel: fusedKernelNames.gelu, gradientKernel: fusedKernelNames.geluGrad, inputs: { x: input }, attrs: { approximate: 'none' } });
  return tf.tidy(() => tf.mul(tf.mul(input, tf.scalar(0.5)), tf.add(tf.erf(tf.mul(input, tf.scalar(Math.SQRT1_2))), tf.scalar(1))));
}

/**
 * SiLU / swish: `x · sigmoid(x)` (PyTorch's `SiLU`, LLaMA's SwiGLU gate, DiT's AdaLN input). Fused (`RecaSilu`)
 * where the backend has it.
 *
 * @param input - float32 tensor of any shape.
 * @returns float32 tensor of the same shape; the caller owns it.
 */
export function silu(input: tf.Tensor): tf.Tensor {
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.silu)) return runFusedOp({ forwardKernel: fusedKernelNames.silu, gradientKernel: fusedKernelNames.siluGrad, inputs: { x: input } });
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
