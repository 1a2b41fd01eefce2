import type { SeededRandom, tf } from '@reca/runtime';

/**
 * The network as a sampler sees it: x_t and the step index of the sampler's (respaced) schedule → the network output
 * for those rows (ε, or ε and the variance values), with guidance already applied. The sampler owns what it returns.
 *
 * @param noisy - float32 `[rows, channels]`.
 * @param originalTimestep - the original (0 … T−1) timestep of this step.
 * @returns float32 `[rows, channels or 2·channels]`.
 */
export type TokenDenoiser = (noisy: tf.Tensor2D, originalTimestep: number) => tf.Tensor2D;

/** Options of {@link TokenSampler.sample}. */
export interface TokenSamplerOptions {
  /** float32 `[rows, channels]`: x_T (not taken over). */
  noise: tf.Tensor2D;
  denoise: TokenDenoiser;
  /** Draws the per-step noise. */
  random: SeededRandom;
  /** Multiplies the noise added at each stochastic step (MAR's temperature). @default 1 */
  temperature?: number;
}

/** A reverse-diffusion sampler over token rows (DDPM ancestral sampling, DDIM). */
export interface TokenSampler {
  readonly kind: 'ddpm' | 'ddim';
  /** Number of network evaluations. */
  readonly steps: number;
  /**
   * Runs the reverse process from `noise`.
   * @returns float32 `[rows, channels]`: x_0; the caller owns it.
   */
  sample(options: TokenSamplerOptions): tf.Tensor2D;
}
