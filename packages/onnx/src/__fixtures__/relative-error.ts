/**
 * Relative error of `actual` against `expected`: `max |actual − expected| / max |expected|` (the tolerance the issue
 * states as "≤ 1e-4 relative"). Throws when the lengths differ.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ expected length ${expected.length}`);
  let maximumDifference = 0;
  let maximumReference = 0;
  for (let index = 0; index < expected.length; index++) {
    maximumDifference = Math.max(maximumDifference, Math.abs((actual[index] as number) - (expected[index] as number)));
    maximumReference = Math.max(maximumReference, Math.abs(expected[index] as number));
  }
  return maximumReference === 0 ? maximumDifference : maximumDifference / maximumReference;
}
