import { downscaleUpscaleImages, gaussianBlurImages, resizeImages, ShapeMismatchError, type tf } from '@reca/runtime';
import type { RecaBottleneck } from './reca-config.js';

/**
 * Applies RecA's information bottleneck to the images the understanding encoder will see (the image transforms
 * themselves are @reca/runtime's: area downscale, Gaussian blur, downscale-then-upscale).
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
  switch (bottleneck.type) {
    case 'none':
      return images.clone();
    case 'resize': {
      const size = bottleneck.imageSize ?? minimumImageSize;
      return resizeImages(images, { height: size, width: size }, 'area');
    }
    case 'downscale-upscale':
      return downscaleUpscaleImages(images, bottleneck.factor);
    case 'gaussian-blur':
      return gaussianBlurImages(images, bottleneck.sigma);
  }
}
