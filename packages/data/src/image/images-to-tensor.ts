import { InvalidArgumentError, ShapeMismatchError, tf } from '@reca/runtime';
import { assertRgbImage, type RgbImage } from './rgb-image.js';

/**
 * Packs equally sized RGB images into one tensor for a model.
 *
 * @param images - at least one image, all of the same width and height.
 * @param names - optional names (file names) used in the error when sizes differ.
 * @returns float32 [batch, height, width, 3] in [0, 1] (byte / 255); the caller owns it.
 * @throws ShapeMismatchError naming the first image whose size differs from the first one's.
 */
export function imagesToTensor(images: readonly RgbImage[], names?: readonly string[]): tf.Tensor4D {
  if (images.length === 0) throw new InvalidArgumentError({ argument: 'images', message: 'needs at least one image' });
  const first = images[0] as RgbImage;
  const { width, height } = first;
  const pixels = width * height * 3;
  const values = new Float32Array(images.length * pixels);
  images.forEach((image, index) => {
    assertRgbImage(image, `images[${index}]`);
    if (image.width !== width || image.height !== height) {
      throw new ShapeMismatchError({
        tensorName: names?.[index] ?? `images[${index}]`,
        expected: [height, width, 3],
        actual: [image.height, image.width, 3],
        context: 'imagesToTensor needs images of one size (resize them on load)',
      });
    }
    const offset = index * pixels;
    for (let position = 0; position < pixels; position++) values[offset + position] = (image.data[position] as number) / 255;
  });
  return tf.tensor4d(values, [images.length, height, width, 3], 'float32');
}
