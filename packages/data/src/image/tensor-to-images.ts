import { ShapeMismatchError, type tf } from '@reca/runtime';
import type { RgbImage } from './rgb-image.js';

/**
 * Reads a batch of images back from a tensor: clamps to [0, 1], scales by 255 and rounds to the nearest byte.
 * Does not dispose `images`.
 *
 * @param images - float32 [batch, height, width, 3] in [0, 1] (values outside are clamped).
 * @returns one {@link RgbImage} per batch entry.
 */
export async function tensorToImages(images: tf.Tensor): Promise<RgbImage[]> {
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new ShapeMismatchError({
      tensorName: 'images',
      expected: [null, null, null, 3],
      actual: images.shape,
      context: 'tensorToImages expects [batch, height, width, 3]',
    });
  }
  const [batch, height, width] = images.shape as [number, number, number, number];
  const values = await images.data();
  const pixels = height * width * 3;
  const result: RgbImage[] = [];
  for (let index = 0; index < batch; index++) {
    const data = new Uint8Array(pixels);
    for (let position = 0; position < pixels; position++) {
      const value = values[index * pixels + position] as number;
      data[position] = Number.isNaN(value) ? 0 : Math.round(Math.min(1, Math.max(0, value)) * 255);
    }
    result.push({ width, height, data });
  }
  return result;
}
