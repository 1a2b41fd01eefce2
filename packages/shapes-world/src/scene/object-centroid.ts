import type { SceneObject } from './scene.js';
import { shapeMask } from './shape-mask.js';

/** A point in pixel-index coordinates: x = column, y = row (y grows downwards). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * The centroid of an object's pixels: the mean column and mean row of the pixels it covers (pixel-index
 * coordinates, so a square at left 10 of size 7 has x = 13). For circles and squares this is the centre of the box;
 * for the upright triangle it lies below the box centre. Relations ("left of", "above") are judged on this point,
 * and it is what scenes.jsonl stores as `cx`, `cy`.
 *
 * Computed as (Σ absolute coordinates) / pixel count, the same arithmetic the evaluator uses on detected pixels, so
 * ground truth and detections agree to the last bit.
 */
export function objectCentroid(object: SceneObject): Point {
  const { size, left, top } = object;
  const mask = shapeMask(object.shape, size);
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      if (mask[row * size + column] === 0) continue;
      count++;
      sumX += left + column;
      sumY += top + row;
    }
  }
  return { x: sumX / count, y: sumY / count };
}
