import type { HeldoutPolicy } from '../heldout/heldout-policy.js';

/** Options shared by dense and sparse captions. */
export interface CaptionOptions {
  /**
   * Whether held-out colour–shape combinations may be named (`none`) or must be hidden (`captions`, `scenes`; see
   * `HeldoutPolicy`).
   * @default 'captions'
   */
  heldout?: HeldoutPolicy;
}

/** Options of `sparseCaption`: how often each kind of alt-text fragment is drawn. */
export interface SparseCaptionOptions extends CaptionOptions {
  /** Probability of an attribute pair ("a red circle and a blue square"), when the scene has ≥ 2 objects. @default 0.2 */
  pairProbability?: number;
  /** Probability of a count ("two squares", "three objects"). @default 0.15 */
  countProbability?: number;
}
