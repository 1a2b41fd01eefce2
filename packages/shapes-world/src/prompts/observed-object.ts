import type { ShapeColor } from '../palette/shape-color.js';
import type { ShapeKind } from '../scene/shape-kind.js';

/** What requirements are checked against: an object's colour, shape and centroid (pixel-index coordinates). */
export interface ObservedObject {
  readonly color: ShapeColor;
  readonly shape: ShapeKind;
  readonly x: number;
  readonly y: number;
}
