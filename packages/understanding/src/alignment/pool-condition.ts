import type { UnifiedModelV1Condition } from '@reca/core';
import { tf } from '@reca/runtime';
import { assertShape } from '../checks.js';

/**
 * Mean of a condition's vectors over its valid positions: `Σ_l mask·embeddings / max(Σ_l mask, 1e-6)`.
 *
 * @param condition - `embeddings` float32 `[batch, length, width]`, `mask` float32 `[batch, length]`.
 * @returns float32 `[batch, width]`; the caller owns it.
 */
export function poolCondition(condition: UnifiedModelV1Condition): tf.Tensor2D {
  const { embeddings, mask } = condition;
  assertShape(embeddings, [null, null, null], 'poolCondition', 'condition.embeddings');
  assertShape(mask, [embeddings.shape[0], embeddings.shape[1]], 'poolCondition', 'condition.mask');
  return tf.tidy(() => {
    const weights = tf.expandDims(tf.cast(mask, 'float32'), 2); // [b, L, 1]
    const total = tf.sum(tf.mul(embeddings, weights), 1); // [b, width]
    const count = tf.maximum(tf.sum(weights, 1), tf.scalar(1e-6)); // [b, 1]
    return tf.div(total, count) as tf.Tensor2D;
  });
}
