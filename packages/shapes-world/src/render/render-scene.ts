import type { RgbImage } from '@reca/data';
import { shapeColorRgb } from '../palette/shape-color.js';
import type { Scene } from '../scene/scene.js';
import { shapeMask } from '../scene/shape-mask.js';

/**
 * Renders a scene: black background, each object's pixels (per `isInsideShape`) set to its exact palette colour.
 * No anti-aliasing, so every pixel is black or one of the six colours. Parts of an object outside the canvas are
 * clipped (sampled scenes never have any).
 *
 * @returns uint8 RGB [height, width, 3].
 */
export function renderScene(scene: Scene): RgbImage {
  const { width, height } = scene;
  const data = new Uint8Array(width * height * 3);
  for (const object of scene.objects) {
    const [red, green, blue] = shapeColorRgb[object.color];
    const mask = shapeMask(object.shape, object.size);
    for (let row = 0; row < object.size; row++) {
      const y = object.top + row;
      if (y < 0 || y >= height) continue;
      for (let column = 0; column < object.size; column++) {
        const x = object.left + column;
        if (x < 0 || x >= width || mask[row * object.size + column] === 0) continue;
        const offset = (y * width + x) * 3;
        data[offset] = red;
        data[offset + 1] = green;
        data[offset + 2] = blue;
      }
    }
  }
  return { width, height, data };
}
