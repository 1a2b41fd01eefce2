import { ShapeMismatchError, tf } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { patternImage } from '../__fixtures__/test-images.js';
import { imagesToTensor } from './images-to-tensor.js';
import { tensorToImages } from './tensor-to-images.js';

describe('imagesToTensor / tensorToImages', () => {
  it('packs images as float32 [batch, height, width, 3] = byte / 255 and reads them back exactly', async () => {
    const images = [patternImage(5, 3, 0), patternImage(5, 3, 1)];
    const before = tf.memory().numTensors;
    const tensor = imagesToTensor(images);
    expect(tensor.shape).toEqual([2, 3, 5, 3]);
    expect(tensor.dtype).toBe('float32');
    const values = await tensor.data();
    // Pixel (x=4, y=2), channel 1 of the second image.
    const expected = (images[1]?.data[(2 * 5 + 4) * 3 + 1] as number) / 255;
    expect(values[1 * 45 + (2 * 5 + 4) * 3 + 1]).toBeCloseTo(expected, 7);
    const back = await tensorToImages(tensor);
    expect(back.map((image) => Array.from(image.data))).toEqual(images.map((image) => Array.from(image.data)));
    tensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clamps out-of-range values and maps NaN to 0 when reading back', async () => {
    const tensor = tf.tensor4d([-0.5, 0.5, 1.7, Number.NaN, 0.2, 1], [1, 1, 2, 3]);
    const [image] = await tensorToImages(tensor);
    expect(Array.from(image?.data ?? [])).toEqual([0, 128, 255, 0, 51, 255]);
    tensor.dispose();
  });

  it('names the image whose size differs', () => {
    const error = (() => {
      try {
        imagesToTensor([patternImage(4, 4), patternImage(4, 5)], ['a.png', 'b.png']);
      } catch (caught) {
        return caught;
      }
    })();
    expect(ShapeMismatchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("'b.png' has shape [5, 4, 3], expected [4, 4, 3]");
  });
});
