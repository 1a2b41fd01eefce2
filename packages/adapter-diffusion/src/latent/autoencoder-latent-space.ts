import { InvalidArgumentError, tf } from '@reca/runtime';
import type { Autoencoder } from '../autoencoder/autoencoder.js';
import type { LatentSpace } from './latent-space.js';

/**
 * A frozen autoencoder's latents as the latent space (OpenUni: DC-AE f32c32; BAGEL: FLUX VAE):
 * `x0 = (encoder(image) − shift) · scale`, `image = decoder(x0 / scale + shift)`. The scale and shift are set by
 * {@link setNormalization} after training the autoencoder (`calibrateLatentNormalization`), like SD's
 * `scaling_factor` (1 / std of the latents) and FLUX's `shift_factor` (their mean), and travel in the model config.
 *
 * The autoencoder's parameters are never trainable inside the model (`trainAutoencoder` switches them on only
 * while it trains).
 */
export class AutoencoderLatentSpace implements LatentSpace {
  readonly kind = 'autoencoder' as const;
  readonly autoencoder: Autoencoder;
  #scale: number;
  #shift: number;

  /**
   * @param autoencoder - the autoencoder (this latent space does not own it: the model disposes it).
   * @param scale - latent scale. @default 1
   * @param shift - latent shift. @default 0
   */
  constructor(autoencoder: Autoencoder, scale = 1, shift = 0) {
    this.autoencoder = autoencoder;
    this.#scale = 1;
    this.#shift = 0;
    this.setNormalization(scale, shift);
  }

  get channels(): number {
    return this.autoencoder.config.latentChannels;
  }

  get downsamplingFactor(): number {
    return this.autoencoder.downsamplingFactor;
  }

  get scale(): number {
    return this.#scale;
  }

  get shift(): number {
    return this.#shift;
  }

  /**
   * Sets the latent scale and shift.
   *
   * @param scale - positive: multiplies shifted raw latents.
   * @param shift - subtracted from raw latents.
   */
  setNormalization(scale: number, shift: number): void {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError({ argument: 'latent.scale', message: `must be a positive finite number, got ${scale}` });
    if (!Number.isFinite(shift)) throw new InvalidArgumentError({ argument: 'latent.shift', message: `must be finite, got ${shift}` });
    this.#scale = scale;
    this.#shift = shift;
  }

  encode(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.mul(tf.sub(this.autoencoder.encode(images), this.#shift), this.#scale) as tf.Tensor4D);
  }

  decode(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.autoencoder.decode(tf.add(tf.div(latents, this.#scale), this.#shift) as tf.Tensor4D));
  }
}
