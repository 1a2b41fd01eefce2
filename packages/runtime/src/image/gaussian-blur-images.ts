import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { tf } from '../tf.js';
import { checkImageBatch } from './check-image-batch.js';
import { gaussianKernel } from './gaussian-kernel.js';

/**
 * Separable Gaussian blur (one horizontal and one vertical pass of {@link gaussianKernel}) with mirrored borders
 * (`reflect`: the edge pixel is not repeated), so a constant image stays constant and the mean is nearly kept.
 *
 * @param images - float32 [batch, height, width, channels]; height and width must exceed the kernel radius.
 * @param sigma - standard deviation in pixels, > 0.
 * @returns float32 [batch, height, width, channels]; the caller owns it.
 */
export function gaussianBlurImages(images: tf.Tensor4D, sigma: number): tf.Tensor4D {
  checkImageBatch(images, 'gaussianBlurImages');
  const weights = gaussianKernel(sigma);
  const radius = (weights.length - 1) / 2;
  const [, height, width, channels] = images.shape;
  if (radius >= Math.min(height, width)) {
    throw new InvalidArgumentError({
      argument: 'sigma',
      message: `blur radius ${radius} px (sigma ${sigma}) must be smaller than the images (${height}×${width})`,
    });
  }
  return tf.tidy(() => {
    const horizontal = tf.tile(tf.tensor4d(weights, [1, weights.length, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const vertical = tf.tile(tf.tensor4d(weights, [weights.length, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const padded = tf.mirrorPad(images, [[0, 0], [radius, radius], [radius, radius], [0, 0]], 'reflect');
    const rows = tf.depthwiseConv2d(padded, horizontal, 1, 'valid'); // [batch, height + 2r, width, channels]
    return tf.depthwiseConv2d(rows, vertical, 1, 'valid');
  });
}
