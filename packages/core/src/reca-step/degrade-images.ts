import { InvalidArgumentError, ShapeMismatchError, tf } from '@reca/runtime';
import type { RecaBottleneck } from './reca-config.js';

/**
 * Area-averaging downscale of square images to `size` when `size` divides the input size (exact box filter, no
 * aliasing), bilinear otherwise (half-pixel centres). Upscaling is bilinear.
 *
 * @param images - float32 [batch, height, width, channels]
 * @returns float32 [batch, size, size, channels]; the caller owns it.
 */
export function resizeImages(images: tf.Tensor4D, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = images.shape;
    if (height === size && width === size) return images.clone();
    if (height % size === 0 && width % size === 0 && height / size === width / size) {
      const factor = height / size;
      return tf.avgPool(images, factor, factor, 'valid');
    }
    return tf.image.resizeBilinear(images, [size, size], false, true);
  });
}

/** A normalised 1-D Gaussian kernel of radius ceil(3σ). */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let offset = -radius; offset <= radius; offset++) {
    const weight = Math.exp(-(offset * offset) / (2 * sigma * sigma));
    weights[offset + radius] = weight;
    total += weight;
  }
  for (let index = 0; index < weights.length; index++) weights[index] = (weights[index] as number) / total;
  return weights;
}

/**
 * Separable Gaussian blur with reflected borders.
 * @param images - float32 [batch, height, width, channels]
 * @returns float32, same shape; the caller owns it.
 */
export function gaussianBlur(images: tf.Tensor4D, sigma: number): tf.Tensor4D {
  return tf.tidy(() => {
    const weights = gaussianKernel(sigma);
    const radius = (weights.length - 1) / 2;
    const channels = images.shape[3];
    if (radius >= Math.min(images.shape[1], images.shape[2])) {
      throw new InvalidArgumentError({
        argument: 'sigma',
        message: `blur radius ${radius} px (sigma ${sigma}) must be smaller than the image (${images.shape[1]}×${images.shape[2]})`,
      });
    }
    const horizontal = tf.tile(tf.tensor4d(weights, [1, weights.length, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const vertical = tf.tile(tf.tensor4d(weights, [weights.length, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const padded = tf.mirrorPad(images, [[0, 0], [radius, radius], [radius, radius], [0, 0]], 'reflect');
    const blurredRows = tf.depthwiseConv2d(padded, horizontal, 1, 'valid');
    return tf.depthwiseConv2d(blurredRows, vertical, 1, 'valid');
  });
}

/**
 * Applies RecA's information bottleneck to the images the understanding encoder will see.
 *
 * @param images - float32 [batch, size, size, 3] in [0, 1], the generator-resolution images.
 * @param bottleneck - which degradation; `resize` without `imageSize` uses `minimumImageSize`.
 * @param minimumImageSize - the model's lowest understanding resolution.
 * @returns float32 [batch, s, s, 3] (s = the bottleneck size for `resize`, the input size otherwise); caller owns it.
 */
export function degradeImages(images: tf.Tensor4D, bottleneck: RecaBottleneck, minimumImageSize: number): tf.Tensor4D {
  if (images.rank !== 4 || images.shape[3] !== 3 || images.shape[1] !== images.shape[2]) {
    throw new ShapeMismatchError({
      tensorName: 'images',
      expected: [null, null, null, 3],
      actual: images.shape,
      context: 'degradeImages expects square RGB images',
    });
  }
  const size = images.shape[1];
  switch (bottleneck.type) {
    case 'none':
      return images.clone();
    case 'resize':
      return resizeImages(images, bottleneck.imageSize ?? minimumImageSize);
    case 'downscale-upscale': {
      if (size % bottleneck.factor !== 0) {
        throw new InvalidArgumentError({
          argument: 'config.bottleneck.factor',
          message: `image size ${size} is not divisible by the downscale factor ${bottleneck.factor}`,
        });
      }
      return tf.tidy(() => resizeImages(resizeImages(images, size / bottleneck.factor), size));
    }
    case 'gaussian-blur':
      return gaussianBlur(images, bottleneck.sigma);
  }
}
