import { InvalidArgumentError } from '@reca/runtime';
import { isShapeColor, type ShapeColor } from '../palette/shape-color.js';
import { objectCentroid } from './object-centroid.js';
import type { SceneObject } from './scene.js';
import { isShapeKind, type ShapeKind } from './shape-kind.js';
import { shapeMask } from './shape-mask.js';

/**
 * An object as written to scenes.jsonl (DESIGN.md §5): `cx`, `cy` are the centroid of its pixels in pixel-index
 * coordinates (see `objectCentroid`), `size` its width = height in pixels.
 */
export interface SceneObjectRecord {
  readonly color: ShapeColor;
  readonly shape: ShapeKind;
  readonly cx: number;
  readonly cy: number;
  readonly size: number;
}

/** The scenes.jsonl form of an object. */
export function toObjectRecord(object: SceneObject): SceneObjectRecord {
  const { x, y } = objectCentroid(object);
  return { color: object.color, shape: object.shape, cx: x, cy: y, size: object.size };
}

/** Offset of a shape's centroid from its box's top-left pixel (pixel-index units). */
function centroidOffset(shape: ShapeKind, size: number): { x: number; y: number } {
  const mask = shapeMask(shape, size);
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  for (let index = 0; index < mask.length; index++) {
    if (mask[index] === 0) continue;
    count++;
    sumX += index % size;
    sumY += Math.floor(index / size);
  }
  return { x: sumX / count, y: sumY / count };
}

/**
 * Recovers an object's box from its scenes.jsonl record (the inverse of {@link toObjectRecord}).
 * @throws InvalidArgumentError when the record is not a ShapesWorld object or its centroid is off the pixel grid.
 */
export function fromObjectRecord(record: SceneObjectRecord): SceneObject {
  if (!isShapeColor(record.color) || !isShapeKind(record.shape) || !Number.isInteger(record.size) || record.size < 1) {
    throw new InvalidArgumentError({ argument: 'record', message: `not a ShapesWorld object: ${JSON.stringify(record)}` });
  }
  const offset = centroidOffset(record.shape, record.size);
  const left = Math.round(record.cx - offset.x);
  const top = Math.round(record.cy - offset.y);
  if (Math.abs(left + offset.x - record.cx) > 1e-6 || Math.abs(top + offset.y - record.cy) > 1e-6) {
    throw new InvalidArgumentError({
      argument: 'record',
      message: `centroid (${record.cx}, ${record.cy}) does not fit a ${record.size}px ${record.shape} on the pixel grid`,
    });
  }
  return { color: record.color, shape: record.shape, left, top, size: record.size };
}
