import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { assertLastDimension } from './shape-checks.js';
import { Module } from './module.js';
import { rmsNormalization } from '../ops/rms-normalization.js';

/** Configuration of an {@link RMSNorm}. */
export interface RMSNormConfig {
  /** Size of the last dimension, which is normalised. */
  dim: number;
  /** Added to the mean square before the square root (LLaMA's `norm_eps`; LlamaGen and Qwen2 use 1e-5/1e-6). @default 1e-6 */
  epsilon?: number;
  /** Learn a per-channel scale `weight` (init 1). @default true */
  elementwiseAffine?: boolean;
}

/**
 * Root-mean-square normalisation over the last dimension (LLaMA's `RMSNorm`):
 * `y = x / √(mean(x²) + ε) · weight`. No centring, no bias.
 *
 * Parameter (with `elementwiseAffine`): `weight` float32 `[dim]`.
 */
export class RMSNorm extends Module {
  readonly dim: number;
  readonly epsilon: number;
  readonly weight: tf.Variable | null;

  constructor(config: RMSNormConfig) {
    super();
    const { dim, epsilon = 1e-6, elementwiseAffine = true } = config;
    if (!Number.isInteger(dim) || dim <= 0) {
      throw new InvalidArgumentError({ argument: 'dim', message: `must be a positive integer, got ${dim}` });
    }
    if (!(epsilon >= 0)) throw new InvalidArgumentError({ argument: 'epsilon', message: `must be ≥ 0, got ${epsilon}` });
    this.dim = dim;
    this.epsilon = epsilon;
    this.weight = elementwiseAffine ? this.registerParameter('weight', tf.ones([dim])) : null;
  }

  /**
   * @param input - float32 `[..., dim]`.
   * @returns float32, same shape; the caller owns it.
   */
  forward(input: tf.Tensor): tf.Tensor {
    assertLastDimension(input, this.dim, 'RMSNorm.forward');
    return rmsNormalization(input, this.weight, this.epsilon);
  }
}
