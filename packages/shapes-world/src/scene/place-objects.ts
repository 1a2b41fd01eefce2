import type { SeededRandom } from '@reca/runtime';
import type { ShapeColor } from '../palette/shape-color.js';
import { boxesSeparated } from './boxes-separated.js';
import type { SceneObject } from './scene.js';
import type { ResolvedSceneOptions } from './scene-options.js';
import type { ShapeKind } from './shape-kind.js';

/** What to place: colour, shape and size of one object (position is drawn). */
export interface ObjectSpecification {
  readonly color: ShapeColor;
  readonly shape: ShapeKind;
  readonly size: number;
}

/** Tries per object before a placement attempt gives up. */
const triesPerObject = 60;

/**
 * Places objects one after another at uniformly drawn positions fully inside the canvas, redrawing a position when
 * it is closer than `minimumGap` to an earlier object.
 *
 * @returns the placed objects, in the order of `specifications`, or `undefined` when some object found no free spot.
 */
export function placeObjects(
  random: SeededRandom,
  specifications: readonly ObjectSpecification[],
  options: ResolvedSceneOptions,
): SceneObject[] | undefined {
  const placed: SceneObject[] = [];
  for (const specification of specifications) {
    const span = options.canvasSize - specification.size + 1;
    let object: SceneObject | undefined;
    for (let attempt = 0; attempt < triesPerObject && object === undefined; attempt++) {
      const candidate = { ...specification, left: random.integer(span), top: random.integer(span) };
      if (placed.every((other) => boxesSeparated(candidate, other, options.minimumGap))) object = candidate;
    }
    if (object === undefined) return undefined;
    placed.push(object);
  }
  return placed;
}
