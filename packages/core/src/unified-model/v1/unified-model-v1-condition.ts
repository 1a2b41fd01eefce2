import type { tf } from '@reca/runtime';

/**
 * What the generator reads: a sequence of condition vectors and its validity mask.
 *
 * A text prompt and a RecA condition (instruction + understanding embeddings) are the same *kind* of thing — one
 * sequence in the generator's condition width — so that what RecA teaches through understanding embeddings can
 * transfer to text prompts (DESIGN.md §2). How the sequence is built (plain prefix, or a shared bottleneck of learned
 * query tokens) is the model's choice, reported in {@link UnifiedModelV1Condition.layout}.
 *
 * The condition's tensors are owned by whoever called `doBuildCondition`; dispose them with
 * {@link disposeCondition} (recaStep does this for you).
 */
export interface UnifiedModelV1Condition {
  /** float32 [batch, length, width]: the condition sequence. */
  readonly embeddings: tf.Tensor3D;
  /** float32 [batch, length]: 1 where a position is real, 0 for padding. */
  readonly mask: tf.Tensor2D;
  /** How the sequence was laid out: prompt and understanding tokens side by side, or read through shared queries. */
  readonly layout: 'prefix' | 'query-bottleneck';
}

/** Disposes a condition's tensors. */
export function disposeCondition(condition: UnifiedModelV1Condition): void {
  condition.embeddings.dispose();
  condition.mask.dispose();
}
