/**
 * How generated training data treats the held-out colour–shape combinations.
 * - `captions` (default): the images may contain them, but captions never name colour and shape together for them
 *   (a held-out object is "a red shape" in a dense caption; sparse fragments about it give its colour or its shape,
 *   never both). Unlabelled images still show them, as RecA's caption-free reconstruction would.
 * - `scenes`: they never appear at all.
 * - `none`: no held-out split; every object is described fully.
 */
export type HeldoutPolicy = 'captions' | 'scenes' | 'none';

/** All policies, for validating flags. */
export const heldoutPolicies: readonly HeldoutPolicy[] = ['captions', 'scenes', 'none'];
