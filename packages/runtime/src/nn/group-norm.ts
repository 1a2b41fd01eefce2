import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { Module } from './module.js';
import { groupNormalization } from '../ops/group-normalization.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { tf } from '../tf.js';

/** Configuration of a {@link GroupNorm}. */
export interface GroupNormConfig {
  /** Number of channel groups; must divide `numChannels` (LDM's autoencoder uses 32). */
  numGroups: number;
  numChannels: number;
  /** @default 1e-6 (LDM's `Normalize`) */
  epsilon?: number;
}

/**
 * Group normalisation of channels-last feature maps (PyTorch's `nn.GroupNorm(numGroups, numChannels, eps, affine=True)`):
 * each sample's channels are split in `numGroups` groups, each normalised over its channels and all pixels with the
 * biased variance, then scaled and shifted per channel.
 *
 * Parameters: `weight` float32 `[numChannels]` (init 1), `bias` float32 `[numChannels]` (init 0).
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly epsilon: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(config: GroupNormConfig) {
    super();
    const { numGroups, numChannels, epsilon = 1e-6 } = config;
    if (!Number.isInteger(numGroups) || numGroups <= 0 || !Number.isInteger(numChannels) || numChannels % numGroups !== 0) {
      throw new InvalidArgumentError({
        argument: 'numGroups',
        message: `must be a positive integer dividing numChannels ${numChannels}, got ${numGroups}`,
      });
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.epsilon = epsilon;
    this.weight = this.registerParameter('weight', tf.ones([numChannels]));
    this.bias = this.registerParameter('bias', tf.zeros([numChannels]));
  }

  /**
   * @param input - float32 `[batch, height, width, numChannels]`.
   * @returns float32 of the same shape; the caller owns it.
   */
  forward(input: tf.Tensor4D): tf.Tensor4D {
    if (input.rank !== 4 || input.shape[3] !== this.numChannels) {
      throw new ShapeMismatchError({ tensorName: 'input', expected: [null, null, null, this.numChannels], actual: input.shape, context: 'GroupNorm.forward' });
    }
    return groupNormalization(input, this.weight, this.bias, this.numGroups, this.epsilon);
  }
}
