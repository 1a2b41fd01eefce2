import { InvalidArgumentError, ShapeMismatchError, tf } from '@reca/runtime';
import type { LatentSpace } from './latent-space.js';

/**
 * Pixels as the latent space (no autoencoder): `x0 = (2·image − 1 − shift) · scale`, so the DiT's patch embedding
 * reads RGB patches directly (pixel-space DiT; the tiny preset's choice, cheap on a CPU).
 */
export class PixelLatentSpace implements LatentSpace {
  readonly kind = 'pixel' as const;
  readonly channels = 3;
  readonly downsamplingFactor = 1;
  readonly scale: number;
  readonly shift: number;

  /**
   * @param scale - multiplies the [−1, 1] pixels. @default 1
   * @param shift - subtracted from the [−1, 1] pixels before scaling. @default 0
   */
  constructor(scale = 1, shift = 0) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError({ argument: 'latent.scale', message: `must be a positive finite number, got ${scale}` });
    if (!Number.isFinite(shift)) throw new InvalidArgumentError({ argument: 'latent.shift', message: `must be finite, got ${shift}` });
    this.scale = scale;
    this.shift = shift;
  }

  encode(images: tf.Tensor4D): tf.Tensor4D {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new ShapeMismatchError({ tensorName: 'images', expected: [null, null, null, 3], actual: images.shape, context: 'PixelLatentSpace.encode' });
    }
    return tf.tidy(() => tf.mul(tf.sub(tf.sub(tf.mul(images, 2), 1), this.shift), this.scale) as tf.Tensor4D);
  }

  decode(latents: tf.Tensor4D): tf.Tensor4D {
    if (latents.rank !== 4 || latents.shape[3] !== 3) {
      throw new ShapeMismatchError({ tensorName: 'latents', expected: [null, null, null, 3], actual: latents.shape, context: 'PixelLatentSpace.decode' });
    }
    return tf.tidy(() => tf.clipByValue(tf.div(tf.add(tf.add(tf.div(latents, this.scale), this.shift), 1), 2), 0, 1) as tf.Tensor4D);
  }
}
