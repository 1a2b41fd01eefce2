import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { tf } from '../tf.js';
import { checkImageBatch } from './check-image-batch.js';

/**
 * How {@link resizeImages} interpolates.
 * - `area`: box-filter average; exact (no aliasing) when shrinking by an integer factor, bilinear otherwise.
 * - `bilinear`: bilinear with half-pixel centres.
 * - `nearest`: nearest neighbour with half-pixel centres (keeps exact colours, e.g. for ShapesWorld).
 */
export type ResizeMethod = 'area' | 'bilinear' | 'nearest';

/**
 * Resizes a batch of images to `height × width` (aspect ratio is not kept: centre-crop first for that).
 *
 * @param images - float32 [batch, height, width, channels]
 * @param size - the output size in pixels.
 * @param method - interpolation. @default 'area'
 * @returns float32 [batch, size.height, size.width, channels]; the caller owns it.
 */
export function resizeImages(
  images: tf.Tensor4D,
  size: { height: number; width: number },
  method: ResizeMethod = 'area',
): tf.Tensor4D {
  checkImageBatch(images, 'resizeImages');
  const { height, width } = size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new InvalidArgumentError({ argument: 'size', message: `height and width must be positive integers, got ${height}×${width}` });
  }
  return tf.tidy(() => {
    const [, inputHeight, inputWidth] = images.shape;
    if (inputHeight === height && inputWidth === width) return images.clone();
    if (method === 'nearest') return tf.image.resizeNearestNeighbor(images, [height, width], false, true);
    const factorY = inputHeight / height;
    const factorX = inputWidth / width;
    if (method === 'area' && Number.isInteger(factorY) && Number.isInteger(factorX)) {
      return tf.avgPool(images, [factorY, factorX], [factorY, factorX], 'valid');
    }
    return tf.image.resizeBilinear(images, [height, width], false, true);
  });
}
