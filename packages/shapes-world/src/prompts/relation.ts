import type { Point } from '../scene/object-centroid.js';

/** The four spatial relations of ShapesWorld prompts and captions. */
export const relations = ['left of', 'right of', 'above', 'below'] as const;

/** One of {@link relations}. */
export type Relation = (typeof relations)[number];

/** Centroids must differ by at least this many pixels along the relation's axis (ShapesWorld v1 contract). */
export const relationThresholdPixels = 3;

/**
 * Whether `subject` is `relation` `reference`, judged on centroids (pixel-index coordinates, y down): "left of" means
 * `reference.x - subject.x ≥ 3`, "right of" `subject.x - reference.x ≥ 3`, "above" `reference.y - subject.y ≥ 3`,
 * "below" `subject.y - reference.y ≥ 3`. The other axis does not matter.
 */
export function relationHolds(subject: Point, reference: Point, relation: Relation, threshold = relationThresholdPixels): boolean {
  switch (relation) {
    case 'left of':
      return reference.x - subject.x >= threshold;
    case 'right of':
      return subject.x - reference.x >= threshold;
    case 'above':
      return reference.y - subject.y >= threshold;
    case 'below':
      return subject.y - reference.y >= threshold;
  }
}
