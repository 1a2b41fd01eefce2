import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { tf } from '../tf.js';
import { checkImageBatch } from './check-image-batch.js';

/**
 * Cuts the central `height × width` window out of each image. When the size difference is odd the extra pixel is
 * dropped from the bottom/right (the window starts at `floor((input - output) / 2)`).
 *
 * @param images - float32 [batch, inputHeight, inputWidth, channels], at least as large as `size`.
 * @returns float32 [batch, size.height, size.width, channels]; the caller owns it.
 */
export function centerCropImages(images: tf.Tensor4D, size: { height: number; width: number }): tf.Tensor4D {
  checkImageBatch(images, 'centerCropImages');
  const [batch, inputHeight, inputWidth, channels] = images.shape;
  const { height, width } = size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0 || height > inputHeight || width > inputWidth) {
    throw new InvalidArgumentError({
      argument: 'size',
      message: `crop ${height}×${width} must be positive integers no larger than the images (${inputHeight}×${inputWidth})`,
    });
  }
  const top = Math.floor((inputHeight - height) / 2);
  const left = Math.floor((inputWidth - width) / 2);
  return tf.slice(images, [0, top, left, 0], [batch, height, width, channels]);
}
