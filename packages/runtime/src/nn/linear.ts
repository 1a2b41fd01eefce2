import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { linear } from '../ops/linear.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { initializeParameter, type Initializer } from './initializer.js';
import { Module } from './module.js';

/** Configuration of a {@link Linear} layer. */
export interface LinearConfig {
  /** Size of the last input dimension. */
  inFeatures: number;
  /** Size of the last output dimension. */
  outFeatures: number;
  /** Whether the layer adds a learned bias (`bias`, shape `[outFeatures]`). @default true */
  bias?: boolean;
  /** Stream the initial weights are drawn from. */
  random: SeededRandom;
  /** Initial `weight`. @default { kind: 'pytorch-linear' } (U(±1/√inFeatures), PyTorch's default) */
  weightInitializer?: Initializer;
  /** Initial `bias`. @default { kind: 'pytorch-linear' } with the weight's fan-in (PyTorch's default) */
  biasInitializer?: Initializer;
}

/**
 * Affine map `y = x · Wᵀ + b` over the last dimension (PyTorch's `nn.Linear`).
 *
 * Parameters (PyTorch layout, so reference checkpoints load as they are):
 * - `weight`: float32 `[outFeatures, inFeatures]`
 * - `bias`: float32 `[outFeatures]` (when `bias` is true)
 *
 * The input is flattened to 2-D before the product (no broadcast batch matmul, whose gradient tfjs lacks).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(config: LinearConfig) {
    super();
    const { inFeatures, outFeatures, bias = true, random } = config;
    for (const [argument, value] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
      }
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const weightInitializer = config.weightInitializer ?? { kind: 'pytorch-linear' };
    const biasInitializer = config.biasInitializer ?? { kind: 'pytorch-linear' };
    this.weight = this.registerParameter('weight', initializeParameter([outFeatures, inFeatures], weightInitializer, random));
    this.bias = bias
      ? this.registerParameter('bias', initializeParameter([outFeatures], biasInitializer, random, { fanIn: inFeatures, fanOut: outFeatures }))
      : null;
  }

  /**
   * @param input - float32 `[..., inFeatures]` (rank ≥ 1).
   * @returns float32 `[..., outFeatures]`; the caller owns it.
   */
  forward(input: tf.Tensor): tf.Tensor {
    const lastSize = input.shape[input.rank - 1];
    if (input.rank < 1 || lastSize !== this.inFeatures) {
      throw new ShapeMismatchError({
        tensorName: 'input',
        expected: [...input.shape.slice(0, -1).map(() => null), this.inFeatures],
        actual: input.shape,
        context: 'Linear.forward',
      });
    }
    return linear(input, this.weight, this.bias);
  }
}
