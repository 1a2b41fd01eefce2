import { InvalidArgumentError } from '@reca/runtime';
import type { RgbImage } from '../image/rgb-image.js';

/**
 * Enlarges an image by an integer factor by repeating each pixel `factor × factor` times (no smoothing, so small
 * synthetic images stay crisp in reports).
 */
export function upscaleNearest(image: RgbImage, factor: number): RgbImage {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new InvalidArgumentError({ argument: 'factor', message: `must be a positive integer, got ${factor}` });
  }
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sourceRow = Math.floor(y / factor) * image.width;
    for (let x = 0; x < width; x++) {
      const source = (sourceRow + Math.floor(x / factor)) * 3;
      const target = (y * width + x) * 3;
      data[target] = image.data[source] as number;
      data[target + 1] = image.data[source + 1] as number;
      data[target + 2] = image.data[source + 2] as number;
    }
  }
  return { width, height, data };
}
