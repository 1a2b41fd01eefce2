import type { ShapeColor } from '../palette/shape-color.js';
import type { ShapeKind } from './shape-kind.js';

/**
 * One object of a scene: a filled shape in a `size × size` box whose top-left pixel is (left, top). See
 * `isInsideShape` for exactly which pixels of the box each shape covers.
 */
export interface SceneObject {
  readonly color: ShapeColor;
  readonly shape: ShapeKind;
  /** Column of the box's left edge, 0-based. */
  readonly left: number;
  /** Row of the box's top edge, 0-based (rows grow downwards). */
  readonly top: number;
  /** Side of the box in pixels = the shape's width and height ("size across"), 7–11 by default. */
  readonly size: number;
}

/** A ShapesWorld scene: objects on a black `width × height` canvas. Objects never overlap (see `SceneOptions.minimumGap`). */
export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly objects: readonly SceneObject[];
}
