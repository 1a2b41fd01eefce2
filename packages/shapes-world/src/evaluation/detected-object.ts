import type { ObservedObject } from '../prompts/observed-object.js';

/** An object found by `detectObjects`: colour, shape, centroid and the geometry the shape was judged on. */
export interface DetectedObject extends ObservedObject {
  /** Number of pixels of the component. */
  readonly pixelCount: number;
  /** Bounding box: left column, top row, width, height in pixels. */
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  /** pixelCount / (width × height). */
  readonly fillRatio: number;
  /** (centroid row − top) / (height − 1) − ½. */
  readonly verticalBalance: number;
}
