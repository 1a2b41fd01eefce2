import type { RgbImage } from '@reca/data';
import { InvalidArgumentError } from '@reca/runtime';
import { shapeColors } from '../palette/shape-color.js';
import { classifyShape } from './classify-shape.js';
import { connectedComponents } from './connected-components.js';
import type { DetectedObject } from './detected-object.js';
import { defaultMaximumColorDistance, defaultMinimumComponentPixels, type DetectorOptions } from './detector-options.js';
import { labelPixels } from './label-pixels.js';

/**
 * Finds ShapesWorld objects in an image without a neural detector:
 * 1. each pixel gets its nearest palette colour (or background; see `DetectorOptions.maximumColorDistance`);
 * 2. 8-connected components of one colour are candidate objects; those under `minimumComponentPixels` are dropped;
 * 3. each component's shape is the nearest prototype in (bounding-box fill ratio, vertical balance) (`classifyShape`);
 * 4. its position is the centroid of its pixels (mean column, mean row), as for ground truth.
 *
 * On a rendered scene this recovers every object exactly (colour, shape, centroid, size as bounding box), because
 * objects never touch and are drawn without anti-aliasing.
 *
 * @param image - uint8 RGB of any size.
 * @returns the objects in raster order of their first pixel.
 */
export function detectObjects(image: RgbImage, options: DetectorOptions = {}): DetectedObject[] {
  const { maximumColorDistance = defaultMaximumColorDistance, minimumComponentPixels = defaultMinimumComponentPixels } = options;
  if (!(maximumColorDistance > 0)) {
    throw new InvalidArgumentError({ argument: 'options.maximumColorDistance', message: `must be positive, got ${maximumColorDistance}` });
  }
  const { width, height } = image;
  const labels = labelPixels(image, maximumColorDistance);
  const objects: DetectedObject[] = [];
  for (const component of connectedComponents(labels, width, height)) {
    const count = component.pixels.length;
    if (count < minimumComponentPixels) continue;
    let left = width;
    let right = -1;
    let top = height;
    let bottom = -1;
    let sumX = 0;
    let sumY = 0;
    for (const pixel of component.pixels) {
      const x = pixel % width;
      const y = (pixel - x) / width;
      sumX += x;
      sumY += y;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
    const boxWidth = right - left + 1;
    const boxHeight = bottom - top + 1;
    const x = sumX / count;
    const y = sumY / count;
    const fillRatio = count / (boxWidth * boxHeight);
    const verticalBalance = boxHeight > 1 ? (y - top) / (boxHeight - 1) - 0.5 : 0;
    objects.push({
      color: shapeColors[component.label - 1] as (typeof shapeColors)[number],
      shape: classifyShape({ fillRatio, verticalBalance }),
      x,
      y,
      pixelCount: count,
      left,
      top,
      width: boxWidth,
      height: boxHeight,
      fillRatio,
      verticalBalance,
    });
  }
  return objects;
}
