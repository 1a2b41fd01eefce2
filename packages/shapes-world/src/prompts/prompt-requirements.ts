import type { ShapeColor } from '../palette/shape-color.js';
import type { ShapeKind } from '../scene/shape-kind.js';
import type { Relation } from './relation.js';

/**
 * "At least `count` objects of this shape (and colour)", optionally in a relation to the objects of another include
 * entry. GenEval's `include` entries, with ShapesWorld shapes as classes.
 */
export interface ObjectRequirement {
  /** Required shape; absent means any shape (captions' "a red shape", "three objects"). */
  readonly shape?: ShapeKind;
  /** Required colour; absent means any colour. */
  readonly color?: ShapeColor;
  /** Minimum number of matching objects. */
  readonly count: number;
  /**
   * Every matching object must be `relation` every object matching `include[target]`.
   */
  readonly position?: { readonly relation: Relation; readonly target: number };
}

/** "Fewer than `count` objects of this shape (and colour)" — GenEval's `exclude`, used to make counts exact. */
export interface ExcludeRequirement {
  readonly shape?: ShapeKind;
  readonly color?: ShapeColor;
  /** The image fails when it has `count` or more matching objects. */
  readonly count: number;
}

/** The structured requirements of a prompt (or of a caption fragment). An image passes only if every one holds. */
export interface PromptRequirements {
  readonly include: readonly ObjectRequirement[];
  readonly exclude: readonly ExcludeRequirement[];
}
