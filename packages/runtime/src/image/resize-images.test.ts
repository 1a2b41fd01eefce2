import { tf } from '../tf.js';
import { describe, expect, it } from 'vitest';
import { centerCropImages } from './center-crop-images.js';
import { downscaleUpscaleImages } from './downscale-upscale-images.js';
import { resizeImages } from './resize-images.js';

/** Bilinear sample with half-pixel centres and edge clamping, written independently. */
function bilinearReference(values: number[], size: number, outputSize: number): number[] {
  const scale = size / outputSize;
  const output: number[] = [];
  for (let y = 0; y < outputSize; y++) {
    for (let x = 0; x < outputSize; x++) {
      const sourceY = Math.min(size - 1, Math.max(0, (y + 0.5) * scale - 0.5));
      const sourceX = Math.min(size - 1, Math.max(0, (x + 0.5) * scale - 0.5));
      const y0 = Math.floor(sourceY);
      const x0 = Math.floor(sourceX);
      const y1 = Math.min(size - 1, y0 + 1);
      const x1 = Math.min(size - 1, x0 + 1);
      const fy = sourceY - y0;
      const fx = sourceX - x0;
      const at = (row: number, column: number) => values[row * size + column] as number;
      output.push(
        (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1)),
      );
    }
  }
  return output;
}

describe('resizeImages', () => {
  it('area-downscales by an integer factor to exact block means', async () => {
    const values = Array.from({ length: 16 }, (_, index) => index);
    const images = tf.tensor4d(values, [1, 4, 4, 1]);
    const small = resizeImages(images, { height: 2, width: 2 });
    expect(Array.from(await small.data())).toEqual([(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4, (8 + 9 + 12 + 13) / 4, (10 + 11 + 14 + 15) / 4]);
    tf.dispose([images, small]);
  });

  it('keeps exact colours with nearest and matches half-pixel bilinear', async () => {
    const values = [0, 1, 0.5, 0.25];
    const images = tf.tensor4d(values, [1, 2, 2, 1]);
    const nearest = resizeImages(images, { height: 4, width: 4 }, 'nearest');
    expect(new Set(await nearest.data())).toEqual(new Set(values));
    const bilinear = resizeImages(images, { height: 4, width: 4 }, 'bilinear');
    const expected = bilinearReference(values, 2, 4);
    (await bilinear.data()).forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 6));
    tf.dispose([images, nearest, bilinear]);
  });

  it('rejects a non-integer size', () => {
    const images = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => resizeImages(images, { height: 2.5, width: 2 })).toThrow(/positive integers/);
    images.dispose();
  });
});

describe('centerCropImages', () => {
  it('cuts the central window, dropping the odd pixel at the bottom/right', async () => {
    const images = tf.tensor4d(Array.from({ length: 25 }, (_, index) => index), [1, 5, 5, 1]);
    const crop = centerCropImages(images, { height: 2, width: 3 });
    // top = floor(3/2) = 1, left = floor(2/2) = 1 → rows 1–2, columns 1–3.
    expect(Array.from(await crop.data())).toEqual([6, 7, 8, 11, 12, 13]);
    expect(() => centerCropImages(images, { height: 6, width: 2 })).toThrow(/no larger than the images \(5×5\)/);
    tf.dispose([images, crop]);
  });
});

describe('downscaleUpscaleImages', () => {
  it('equals area-down then bilinear-up, and removes detail finer than the factor', async () => {
    const values = Array.from({ length: 16 }, (_, index) => ((index % 4) + Math.floor(index / 4)) % 2); // checkerboard
    const images = tf.tensor4d(values, [1, 4, 4, 1]);
    const degraded = downscaleUpscaleImages(images, 2);
    for (const value of await degraded.data()) expect(value).toBeCloseTo(0.5, 6);
    const gradient = tf.tensor4d(Array.from({ length: 16 }, (_, index) => index / 15), [1, 4, 4, 1]);
    const degradedGradient = downscaleUpscaleImages(gradient, 2);
    const blocks = [(0 + 1 + 4 + 5) / 60, (2 + 3 + 6 + 7) / 60, (8 + 9 + 12 + 13) / 60, (10 + 11 + 14 + 15) / 60];
    const expected = bilinearReference(blocks, 2, 4);
    (await degradedGradient.data()).forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 6));
    expect(() => downscaleUpscaleImages(images, 3)).toThrow(/dividing the image size 4×4/);
    tf.dispose([images, degraded, gradient, degradedGradient]);
  });
});
