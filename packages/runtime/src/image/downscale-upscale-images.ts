import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { tf } from '../tf.js';
import { checkImageBatch } from './check-image-batch.js';
import { type ResizeMethod, resizeImages } from './resize-images.js';

/**
 * The resolution bottleneck: shrink each image by `factor` with an exact box filter, then bring it back to its own
 * size. What survives is the content visible at `height / factor × width / factor`.
 *
 * @param images - float32 [batch, height, width, channels]; height and width must be divisible by `factor`.
 * @param factor - integer ≥ 1 (1 returns a copy).
 * @param upscaleMethod - how to upscale back. @default 'bilinear'
 * @returns float32 [batch, height, width, channels]; the caller owns it.
 */
export function downscaleUpscaleImages(
  images: tf.Tensor4D,
  factor: number,
  upscaleMethod: Exclude<ResizeMethod, 'area'> = 'bilinear',
): tf.Tensor4D {
  checkImageBatch(images, 'downscaleUpscaleImages');
  const [, height, width] = images.shape;
  if (!Number.isInteger(factor) || factor < 1 || height % factor !== 0 || width % factor !== 0) {
    throw new InvalidArgumentError({
      argument: 'factor',
      message: `must be a positive integer dividing the image size ${height}×${width}, got ${factor}`,
    });
  }
  return tf.tidy(() => {
    const small = resizeImages(images, { height: height / factor, width: width / factor }, 'area');
    return resizeImages(small, { height, width }, upscaleMethod);
  });
}
