import { InvalidArgumentError, ShapeMismatchError, tf } from '@reca/runtime';
import type { LatentCodec, LatentEncodeOptions } from './latent-codec.js';

/**
 * The identity "autoencoder": latents are the pixels mapped to [−1, 1] (3 channels, factor 1). With the generator's
 * `patchSize` > 1 this gives MAR on raw patch tokens (each token `p·p·3` values) — no autoencoder to train. It has no
 * parameters.
 */
export class PixelCodec implements LatentCodec {
  readonly kind = 'pixels' as const;
  readonly latentChannels = 3;
  readonly downsampleFactor = 1;
  readonly scalingFactor = 1;

  /** @returns `2·images − 1`, float32 `[batch, size, size, 3]`; the caller owns it. `options.sample` changes nothing. */
  encode(images: tf.Tensor4D, options: LatentEncodeOptions): tf.Tensor4D {
    if (options.sample !== true && options.sample !== false) throw new InvalidArgumentError({ argument: 'options.sample', message: 'must be a boolean' });
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new ShapeMismatchError({ tensorName: 'images', expected: [null, null, null, 3], actual: images.shape, context: 'PixelCodec.encode' });
    }
    return tf.tidy(() => tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D);
  }

  /** @returns `clip((latents + 1) / 2, 0, 1)`; the caller owns it. */
  decode(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.clipByValue(tf.div(tf.add(latents, 1), 2), 0, 1) as tf.Tensor4D);
  }
}
