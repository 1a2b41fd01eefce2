import type { SeededRandom, tf } from '@reca/runtime';

/** Options of {@link LatentCodec.encode}. */
export interface LatentEncodeOptions {
  /**
   * Draw the latents from the posterior (MAR's training targets: `posterior.sample()`), or take its mean
   * (deterministic; used for understanding features).
   */
  sample: boolean;
  /** The stream of the posterior draw; required with `sample`. */
  random?: SeededRandom;
}

/**
 * What turns images into the continuous latent grid the MAR generator models, and back: a KL autoencoder, or the
 * pixels themselves (patch tokens). Latents are already multiplied by the scaling factor.
 */
export interface LatentCodec {
  readonly kind: 'kl-autoencoder' | 'pixels';
  /** Channels of one latent pixel. */
  readonly latentChannels: number;
  /** Image pixels per latent pixel along each side. */
  readonly downsampleFactor: number;
  /** The factor latents are multiplied by. */
  readonly scalingFactor: number;

  /**
   * @param images - float32 `[batch, size, size, 3]` in [0, 1]; size a multiple of `downsampleFactor`.
   * @returns scaled latents float32 `[batch, size/f, size/f, latentChannels]`; the caller owns it.
   */
  encode(images: tf.Tensor4D, options: LatentEncodeOptions): tf.Tensor4D;

  /**
   * @param latents - scaled latents float32 `[batch, h, w, latentChannels]`.
   * @returns float32 `[batch, h·f, w·f, 3]` clipped to [0, 1]; the caller owns it.
   */
  decode(latents: tf.Tensor4D): tf.Tensor4D;
}
