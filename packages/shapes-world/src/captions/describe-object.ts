import type { ShapeColor } from '../palette/shape-color.js';
import type { ShapeKind } from '../scene/shape-kind.js';
import { isHeldoutCombination } from '../heldout/heldout-combinations.js';
import type { HeldoutPolicy } from '../heldout/heldout-policy.js';

/** True when captions under `policy` must not name this colour and shape together. */
export function hidesCombination(color: ShapeColor, shape: ShapeKind, policy: HeldoutPolicy): boolean {
  return policy !== 'none' && isHeldoutCombination(color, shape);
}

/**
 * The noun group for an object without its article: "red circle", or "red shape" when the combination is hidden.
 */
export function objectNoun(color: ShapeColor, shape: ShapeKind, policy: HeldoutPolicy): string {
  return hidesCombination(color, shape, policy) ? `${color} shape` : `${color} ${shape}`;
}
