import type { ShapeKind } from '../scene/shape-kind.js';

/** Geometry of a blob used to tell the shapes apart. */
export interface ShapeFeatures {
  /** Pixels / (bounding-box width × height): square 1, circle 0.76–0.85, triangle 0.59–0.63 for sizes 7–11. */
  readonly fillRatio: number;
  /**
   * Where the mass sits vertically: (centroid row − top) / (height − 1) − ½. 0 for shapes symmetric top-to-bottom
   * (circle, square); +0.14 to +0.16 for the upright triangle (wide base at the bottom). 0 when height is 1.
   */
  readonly verticalBalance: number;
}

/**
 * Prototype features of each shape (means over sizes 7–11 of the exact masks), rounded. A blob gets the shape whose
 * prototype is nearest in (fillRatio, verticalBalance) — Euclidean, unweighted.
 */
export const shapePrototypes: Readonly<Record<ShapeKind, ShapeFeatures>> = {
  circle: { fillRatio: 0.8, verticalBalance: 0 },
  square: { fillRatio: 1, verticalBalance: 0 },
  triangle: { fillRatio: 0.61, verticalBalance: 0.15 },
};

/**
 * The shape a blob looks like, from simple geometry: nearest prototype in (fill ratio of the bounding box, vertical
 * balance). With the exact masks the margins are wide (fill ratio: square 1 vs circle ≤ 0.85; triangle ≤ 0.63 and
 * balance ≥ 0.14 vs circle ≥ 0.76 and 0), so ground truth is always classified correctly; an inverted triangle
 * (balance −0.15) is not an upright triangle and is called a circle.
 */
export function classifyShape(features: ShapeFeatures): ShapeKind {
  let best: ShapeKind = 'circle';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [shape, prototype] of Object.entries(shapePrototypes) as Array<[ShapeKind, ShapeFeatures]>) {
    const distance = (features.fillRatio - prototype.fillRatio) ** 2 + (features.verticalBalance - prototype.verticalBalance) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = shape;
    }
  }
  return best;
}
