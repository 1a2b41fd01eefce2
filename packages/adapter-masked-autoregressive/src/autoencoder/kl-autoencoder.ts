import { Conv2d } from '@reca/runtime';
import { InvalidArgumentError, Module, SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { DiagonalGaussianDistribution } from './diagonal-gaussian-distribution.js';
import { type KlAutoencoderConfig, klAutoencoderDownsampleFactor, validateKlAutoencoderConfig } from './kl-autoencoder-config.js';
import { KlDecoder } from './kl-decoder.js';
import { KlEncoder } from './kl-encoder.js';
import type { LatentCodec, LatentEncodeOptions } from './latent-codec.js';

/**
 * A small KL-regularised autoencoder (LDM's `AutoencoderKL`, the tokenizer MAR and Harmon use at KL-16 size): images
 * in [0, 1] → [−1, 1] → `encoder` → `quant_conv` (1×1) → posterior moments; latents → `post_quant_conv` (1×1) →
 * `decoder`. The generator sees latents multiplied by `scalingFactor`.
 *
 * Parameters (LDM names): `encoder.*`, `decoder.*`, `quant_conv.weight|bias` `[2c, 2c, 1, 1]`,
 * `post_quant_conv.weight|bias` `[c, c, 1, 1]`. Inside a unified model it is frozen (its variables are not
 * trainable); train it first with `trainKlAutoencoder`.
 */
export class KlAutoencoder extends Module implements LatentCodec {
  readonly kind = 'kl-autoencoder' as const;
  readonly config: KlAutoencoderConfig;
  readonly encoder: KlEncoder;
  readonly decoder: KlDecoder;
  readonly quantConv: Conv2d;
  readonly postQuantConv: Conv2d;
  #scalingFactor: number;

  /**
   * @param config - see {@link KlAutoencoderConfig}.
   * @param random - stream of the initial weights.
   */
  constructor(config: KlAutoencoderConfig, random: SeededRandom) {
    super();
    validateKlAutoencoderConfig(config);
    this.config = { ...config, channelMultipliers: [...config.channelMultipliers] };
    this.#scalingFactor = config.scalingFactor;
    const latent = config.latentChannels;
    this.encoder = this.registerModule('encoder', new KlEncoder(config, random));
    this.decoder = this.registerModule('decoder', new KlDecoder(config, random));
    this.quantConv = this.registerModule('quant_conv', new Conv2d({ inChannels: 2 * latent, outChannels: 2 * latent, kernelSize: 1, random }));
    this.postQuantConv = this.registerModule('post_quant_conv', new Conv2d({ inChannels: latent, outChannels: latent, kernelSize: 1, random }));
  }

  get latentChannels(): number {
    return this.config.latentChannels;
  }

  get downsampleFactor(): number {
    return klAutoencoderDownsampleFactor(this.config);
  }

  get scalingFactor(): number {
    return this.#scalingFactor;
  }

  /** Sets the latent scaling factor (e.g. 1 / std of the latents after training). */
  setScalingFactor(value: number): void {
    if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError({ argument: 'scalingFactor', message: `must be a positive finite number, got ${value}` });
    this.#scalingFactor = value;
  }

  /** The configuration with the current scaling factor. */
  getConfig(): KlAutoencoderConfig {
    return { ...this.config, channelMultipliers: [...this.config.channelMultipliers], scalingFactor: this.#scalingFactor };
  }

  /**
   * The posterior of images.
   * @param images - float32 `[batch, size, size, 3]` in [0, 1], size a multiple of the downsampling factor.
   * @returns the distribution over unscaled latents `[batch, size/f, size/f, latentChannels]`; the caller disposes it.
   */
  posterior(images: tf.Tensor4D): DiagonalGaussianDistribution {
    const factor = this.downsampleFactor;
    if (images.rank !== 4 || images.shape[3] !== 3 || images.shape[1] % factor !== 0 || images.shape[2] % factor !== 0) {
      throw new ShapeMismatchError({
        tensorName: 'images',
        expected: [null, null, null, 3],
        actual: images.shape,
        context: `KlAutoencoder.posterior (height and width multiples of ${factor})`,
      });
    }
    const moments = tf.tidy(() => this.quantConv.forward(this.encoder.forward(tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D)));
    try {
      return new DiagonalGaussianDistribution(moments);
    } finally {
      moments.dispose();
    }
  }

  encode(images: tf.Tensor4D, options: LatentEncodeOptions): tf.Tensor4D {
    if (options.sample && !options.random) throw new InvalidArgumentError({ argument: 'options.random', message: 'is required to sample latents' });
    const posterior = this.posterior(images);
    try {
      return tf.tidy(() => tf.mul(options.sample ? posterior.sample(options.random as SeededRandom) : posterior.mode(), this.#scalingFactor) as tf.Tensor4D);
    } finally {
      posterior.dispose();
    }
  }

  /**
   * Decodes unscaled latents to the decoder's raw output.
   * @param latents - unscaled float32 `[batch, h, w, latentChannels]`.
   * @returns float32 `[batch, h·f, w·f, 3]` nominally in [−1, 1] (not clipped); the caller owns it.
   */
  decodeUnscaled(latents: tf.Tensor4D): tf.Tensor4D {
    if (latents.rank !== 4 || latents.shape[3] !== this.latentChannels) {
      throw new ShapeMismatchError({ tensorName: 'latents', expected: [null, null, null, this.latentChannels], actual: latents.shape, context: 'KlAutoencoder.decode' });
    }
    return tf.tidy(() => this.decoder.forward(this.postQuantConv.forward(latents)));
  }

  decode(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const raw = this.decodeUnscaled(tf.div(latents, this.#scalingFactor) as tf.Tensor4D);
      return tf.clipByValue(tf.div(tf.add(raw, 1), 2), 0, 1) as tf.Tensor4D;
    });
  }
}
