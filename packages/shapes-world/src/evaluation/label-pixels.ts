import type { RgbImage } from '@reca/data';
import { backgroundRgb, shapeColorRgb, shapeColors } from '../palette/shape-color.js';

const references = [backgroundRgb, ...shapeColors.map((color) => shapeColorRgb[color])];

/**
 * Labels each pixel with its nearest palette colour: 0 for background (black nearest, or no colour within
 * `maximumColorDistance`), `1 + index` into `shapeColors` otherwise.
 *
 * @returns uint8 [height × width], row-major.
 */
export function labelPixels(image: RgbImage, maximumColorDistance: number): Uint8Array {
  const { width, height, data } = image;
  const labels = new Uint8Array(width * height);
  const cap = maximumColorDistance * maximumColorDistance;
  for (let pixel = 0; pixel < width * height; pixel++) {
    const red = data[pixel * 3] as number;
    const green = data[pixel * 3 + 1] as number;
    const blue = data[pixel * 3 + 2] as number;
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let index = 0; index < references.length; index++) {
      const reference = references[index] as readonly [number, number, number];
      const dr = red - reference[0];
      const dg = green - reference[1];
      const db = blue - reference[2];
      const distance = dr * dr + dg * dg + db * db;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = index;
      }
    }
    labels[pixel] = best !== 0 && bestDistance <= cap ? best : 0;
  }
  return labels;
}
