import { InvalidArgumentError } from '@reca/runtime';

/**
 * Configuration of an {@link Autoencoder}: a small convolutional image autoencoder in the role of SANA's DC-AE or
 * BAGEL's FLUX VAE (deterministic, like DC-AE; no KL term).
 */
export interface AutoencoderConfig {
  /**
   * Channels per resolution level, from full resolution down. Each step down halves the side, so the downsampling
   * factor is `2^(blockChannels.length − 1)` (e.g. `[32, 64]` → f2, `[64, 128, 256, 256]` → f8 like the SD/FLUX VAE).
   */
  blockChannels: readonly number[];
  /** Channels of the latent (SD VAE 4, FLUX 16, DC-AE f32c32 32). */
  latentChannels: number;
  /** Residual blocks per level (diffusers `layers_per_block`). @default 1 */
  layersPerBlock?: number;
}

/**
 * Throws unless `config` describes a valid autoencoder.
 *
 * @param config - the configuration to check.
 * @param argument - its name in error messages.
 */
export function validateAutoencoderConfig(config: AutoencoderConfig, argument: string): void {
  const { blockChannels, latentChannels, layersPerBlock = 1 } = config;
  if (!Array.isArray(blockChannels) || blockChannels.length === 0 || blockChannels.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new InvalidArgumentError({ argument: `${argument}.blockChannels`, message: `must be a non-empty list of positive integers, got ${JSON.stringify(blockChannels)}` });
  }
  if (!Number.isInteger(latentChannels) || latentChannels <= 0) {
    throw new InvalidArgumentError({ argument: `${argument}.latentChannels`, message: `must be a positive integer, got ${latentChannels}` });
  }
  if (!Number.isInteger(layersPerBlock) || layersPerBlock < 0) {
    throw new InvalidArgumentError({ argument: `${argument}.layersPerBlock`, message: `must be a non-negative integer, got ${layersPerBlock}` });
  }
}

/** The downsampling factor of an autoencoder configuration: `2^(blockChannels.length − 1)`. */
export function autoencoderDownsamplingFactor(config: AutoencoderConfig): number {
  return 2 ** (config.blockChannels.length - 1);
}
