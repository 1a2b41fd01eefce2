import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { assertLastDimension } from './shape-checks.js';
import { Module } from './module.js';
import { layerNormalization } from '../ops/layer-normalization.js';

/** Configuration of a {@link LayerNorm}. */
export interface LayerNormConfig {
  /** Size of the last dimension, which is normalised. */
  normalizedShape: number;
  /**
   * Added to the variance before the square root. DiT, MAR and timm ViTs use 1e-6; note that PyTorch's
   * `nn.LayerNorm` default is 1e-5 — pass it when porting a module that relies on the default.
   * @default 1e-6
   */
  epsilon?: number;
  /** Learn a per-channel scale `weight` (init 1) and, with {@link bias}, shift `bias` (init 0). DiT's AdaLN blocks turn it off. @default true */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, whether to learn `bias` too. @default true */
  bias?: boolean;
}

/**
 * Layer normalisation over the last dimension (PyTorch's `nn.LayerNorm(normalizedShape)`):
 * `y = (x − mean) / √(var + ε) · weight + bias`, with the biased (population) variance.
 *
 * Parameters (with `elementwiseAffine`): `weight` float32 `[normalizedShape]`, `bias` float32 `[normalizedShape]`.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number;
  readonly epsilon: number;
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;

  constructor(config: LayerNormConfig) {
    super();
    const { normalizedShape, epsilon = 1e-6, elementwiseAffine = true, bias = true } = config;
    if (!Number.isInteger(normalizedShape) || normalizedShape <= 0) {
      throw new InvalidArgumentError({ argument: 'normalizedShape', message: `must be a positive integer, got ${normalizedShape}` });
    }
    if (!(epsilon >= 0)) throw new InvalidArgumentError({ argument: 'epsilon', message: `must be ≥ 0, got ${epsilon}` });
    this.normalizedShape = normalizedShape;
    this.epsilon = epsilon;
    this.weight = elementwiseAffine ? this.registerParameter('weight', tf.ones([normalizedShape])) : null;
    this.bias = elementwiseAffine && bias ? this.registerParameter('bias', tf.zeros([normalizedShape])) : null;
  }

  /**
   * @param input - float32 `[..., normalizedShape]`.
   * @returns float32, same shape; the caller owns it.
   */
  forward(input: tf.Tensor): tf.Tensor {
    assertLastDimension(input, this.normalizedShape, 'LayerNorm.forward');
    return layerNormalization(input, this.weight, this.bias, this.epsilon);
  }
}
