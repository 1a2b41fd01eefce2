import { InvalidArgumentError } from '@reca/runtime';

/**
 * Configuration of a {@link KlAutoencoder} (LDM's `AutoencoderKL` as MAR ships it in `models/vae.py`, at configurable
 * size). The downsampling factor is `2^(channelMultipliers.length − 1)`.
 */
export interface KlAutoencoderConfig {
  /** Channels of the first level (LDM `ch`). MAR's KL-16: 128. */
  baseChannels: number;
  /** Channel multiplier per resolution level (LDM `ch_mult`). MAR's KL-16: [1, 1, 2, 2, 4] (factor 16). */
  channelMultipliers: readonly number[];
  /** Residual blocks per level in the encoder (the decoder has one more; LDM `num_res_blocks`). MAR's KL-16: 2. */
  numResBlocks: number;
  /** Latent channels (LDM `embed_dim` = `z_channels`). MAR's KL-16: 16. */
  latentChannels: number;
  /** Groups of every GroupNorm (LDM: 32); must divide every level's channels. */
  normGroups: number;
  /**
   * Latents are multiplied by this before the generator sees them (MAR: 0.2325 for its KL-16; LDM computes it as
   * 1 / std of the latents). `trainKlAutoencoder` sets it from the trained encoder's latents.
   * @default 1
   */
  scalingFactor: number;
}

/** Downsampling factor of an autoencoder configuration: `2^(levels − 1)`. */
export function klAutoencoderDownsampleFactor(config: Pick<KlAutoencoderConfig, 'channelMultipliers'>): number {
  return 2 ** (config.channelMultipliers.length - 1);
}

/**
 * Checks a configuration; throws InvalidArgumentError naming the field.
 */
export function validateKlAutoencoderConfig(config: KlAutoencoderConfig): void {
  const positive = (value: number, argument: string) => {
    if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
  };
  positive(config.baseChannels, 'autoencoder.baseChannels');
  positive(config.numResBlocks, 'autoencoder.numResBlocks');
  positive(config.latentChannels, 'autoencoder.latentChannels');
  positive(config.normGroups, 'autoencoder.normGroups');
  if (config.channelMultipliers.length === 0) {
    throw new InvalidArgumentError({ argument: 'autoencoder.channelMultipliers', message: 'needs at least one level' });
  }
  for (const multiplier of config.channelMultipliers) {
    positive(multiplier, 'autoencoder.channelMultipliers[]');
    if ((config.baseChannels * multiplier) % config.normGroups !== 0) {
      throw new InvalidArgumentError({
        argument: 'autoencoder.normGroups',
        message: `${config.normGroups} must divide every level's channels, but not ${config.baseChannels * multiplier}`,
      });
    }
  }
  if (!(config.scalingFactor > 0) || !Number.isFinite(config.scalingFactor)) {
    throw new InvalidArgumentError({ argument: 'autoencoder.scalingFactor', message: `must be a positive finite number, got ${config.scalingFactor}` });
  }
}
