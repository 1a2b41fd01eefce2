import { ShapeMismatchError, tf } from '@reca/runtime';
import type { AutoencoderLatentSpace } from '../latent/autoencoder-latent-space.js';

/** Options of {@link calibrateLatentNormalization}. */
export interface CalibrateLatentNormalizationOptions {
  /** float32 `[count, size, size, 3]` in [0, 1]: images representative of the training data. */
  images: tf.Tensor4D;
  /** Subtract the latents' mean (FLUX `shift_factor`); otherwise the shift is 0 (SD VAE). @default true */
  center?: boolean;
}

/**
 * Sets an autoencoder latent space's scale to 1 / std of the raw latents of `images` and, with `center`, its shift to
 * their mean — how SD's `scaling_factor` (0.18215) and FLUX's `shift_factor` were chosen — so the flow starts from
 * latents of about unit variance, the scale of the noise.
 *
 * @returns the new scale and shift.
 */
export async function calibrateLatentNormalization(
  latentSpace: AutoencoderLatentSpace,
  options: CalibrateLatentNormalizationOptions,
): Promise<{ scale: number; shift: number }> {
  const { images, center = true } = options;
  if (images.rank !== 4 || images.shape[0] < 1) {
    throw new ShapeMismatchError({ tensorName: 'images', expected: [null, null, null, 3], actual: images.shape, context: 'calibrateLatentNormalization' });
  }
  const statistics = tf.tidy(() => {
    const latents = latentSpace.autoencoder.encode(images);
    const { mean, variance } = tf.moments(latents);
    return tf.stack([mean, variance]);
  });
  const [mean, variance] = Array.from(await statistics.data()) as [number, number];
  statistics.dispose();
  const shift = center ? mean : 0;
  const spread = center ? variance : variance + mean * mean;
  const scale = 1 / Math.sqrt(Math.max(spread, 1e-12));
  latentSpace.setNormalization(scale, shift);
  return { scale, shift };
}
