import { InvalidArgumentError, Module, ShapeMismatchError, tf } from '@reca/runtime';

/** Configuration of a {@link GroupNorm}. */
export interface GroupNormConfig {
  /** Number of groups; must divide `numChannels` (LlamaGen/VQGAN: 32). */
  numGroups: number;
  numChannels: number;
  /** @default 1e-6 (LlamaGen's `Normalize`) */
  epsilon?: number;
}

/**
 * Group normalisation over channel-last images (PyTorch's `nn.GroupNorm`, Wu & He 2018): the channels are cut into
 * `numGroups` groups and each group is normalised over its channels and all spatial positions, per sample; then a
 * per-channel affine `weight`/`bias` is applied.
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
    if (!Number.isInteger(numChannels) || numChannels <= 0) {
      throw new InvalidArgumentError({ argument: 'numChannels', message: `must be a positive integer, got ${numChannels}` });
    }
    if (!Number.isInteger(numGroups) || numGroups <= 0 || numChannels % numGroups !== 0) {
      throw new InvalidArgumentError({ argument: 'numGroups', message: `must be a positive divisor of numChannels ${numChannels}, got ${numGroups}` });
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.epsilon = epsilon;
    this.weight = this.registerParameter('weight', tf.ones([numChannels]));
    this.bias = this.registerParameter('bias', tf.zeros([numChannels]));
  }

  /**
   * @param input - float32 `[batch, height, width, numChannels]`.
   * @returns float32, same shape; the caller owns it.
   */
  forward(input: tf.Tensor): tf.Tensor4D {
    if (input.rank !== 4 || input.shape[3] !== this.numChannels) {
      throw new ShapeMismatchError({ tensorName: 'input', expected: [null, null, null, this.numChannels], actual: input.shape, context: 'GroupNorm.forward' });
    }
    const [batchSize, height, width] = input.shape as [number, number, number, number];
    return tf.tidy(() => {
      const grouped = tf.reshape(input, [batchSize, height * width, this.numGroups, this.numChannels / this.numGroups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true); // [b, 1, groups, 1]
      const normalized = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, tf.scalar(this.epsilon))));
      const restored = tf.reshape(normalized, [batchSize, height, width, this.numChannels]);
      return tf.add(tf.mul(restored, this.weight), this.bias) as tf.Tensor4D;
    });
  }
}
