import { type ShapeColor, shapeColors } from '../palette/shape-color.js';
import { type ShapeKind, shapeKinds } from '../scene/shape-kind.js';

/** A colour bound to a shape, e.g. "red triangle". */
export interface ColorShapeCombination {
  readonly color: ShapeColor;
  readonly shape: ShapeKind;
}

/**
 * The held-out colour–shape combinations (ShapesWorld v1): one per colour, each shape twice. Training captions never
 * name these colours and shapes together, and held-out prompts always ask for at least one of them, so a model that
 * passes them has composed a colour and a shape it never saw named together.
 */
export const heldoutCombinations: readonly ColorShapeCombination[] = [
  { color: 'red', shape: 'triangle' },
  { color: 'green', shape: 'circle' },
  { color: 'blue', shape: 'square' },
  { color: 'yellow', shape: 'circle' },
  { color: 'magenta', shape: 'square' },
  { color: 'cyan', shape: 'triangle' },
];

/** True when colour + shape is one of {@link heldoutCombinations}. */
export function isHeldoutCombination(color: ShapeColor, shape: ShapeKind): boolean {
  return heldoutCombinations.some((combination) => combination.color === color && combination.shape === shape);
}

/** All 18 colour–shape combinations, colour-major in the fixed orders of `shapeColors` and `shapeKinds`. */
export const allCombinations: readonly ColorShapeCombination[] = shapeColors.flatMap((color) =>
  shapeKinds.map((shape) => ({ color, shape })),
);

/** The 12 combinations that training captions may name. */
export const trainingCombinations: readonly ColorShapeCombination[] = allCombinations.filter(
  (combination) => !isHeldoutCombination(combination.color, combination.shape),
);
