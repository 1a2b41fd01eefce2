import type { tf } from '@reca/runtime';

/**
 * Where the flow runs: the map between images and the latents x0 the DiT denoises. Both directions are
 * deterministic; the adapter never trains through {@link LatentSpace.encode} (targets are constants, as with
 * diffusers' `vae.encode` under `no_grad`).
 */
export interface LatentSpace {
  /** `'pixel'` (images cut into patches by the DiT) or `'autoencoder'` (a frozen autoencoder's latents). */
  readonly kind: 'pixel' | 'autoencoder';
  /** Channels of a latent. */
  readonly channels: number;
  /** Image side / latent side. */
  readonly downsamplingFactor: number;
  /** Multiplies latents after the shift (diffusers `scaling_factor`), so they have about unit variance. */
  readonly scale: number;
  /** Subtracted from raw latents before the scale (FLUX `shift_factor`). */
  readonly shift: number;

  /**
   * @param images - float32 `[batch, size, size, 3]` in [0, 1].
   * @returns latents x0 float32 `[batch, size/f, size/f, channels]`, shifted and scaled; the caller owns them.
   */
  encode(images: tf.Tensor4D): tf.Tensor4D;

  /**
   * @param latents - float32 `[batch, side, side, channels]` as {@link encode} returns them.
   * @returns images float32 `[batch, side·f, side·f, 3]` clipped to [0, 1]; the caller owns them.
   */
  decode(latents: tf.Tensor4D): tf.Tensor4D;
}
