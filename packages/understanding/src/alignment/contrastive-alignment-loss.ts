import type { UnifiedModelV1Condition } from '@reca/core';
import { crossEntropyWithIgnoreIndex, InvalidArgumentError, ShapeMismatchError, tf } from '@reca/runtime';
import { poolCondition } from './pool-condition.js';

/** Options of {@link contrastiveAlignmentLoss}. */
export interface ContrastiveAlignmentLossOptions {
  /** Softmax temperature of the cosine similarities (CLIP's initial value). @default 0.07 */
  temperature?: number;
}

/**
 * Symmetric InfoNCE (CLIP's loss) between two batches of conditions, pairing sample `i` of `conditionA` with sample
 * `i` of `conditionB`: each condition is mean-pooled over its valid positions and L2-normalised, `logits = A·Bᵀ / τ`,
 * and the loss is the mean of the cross-entropies of the rows (A → B) and the columns (B → A) against the diagonal.
 *
 * This is the pilots' variant-B term: it ties an image's RecA condition (instruction + understanding embeddings) to
 * its dense caption's condition, so the generator's condition space is language-aligned and what RecA teaches
 * through understanding embeddings transfers to text prompts. Gradients reach both conditions. Needs a batch of at
 * least 2 (with 1 the loss is 0). Its minimum is 0 and a batch of unrelated vectors gives about `ln(batch)`.
 *
 * @param conditionA - e.g. the RecA conditions: `embeddings` float32 `[batch, lengthA, width]`, `mask` `[batch, lengthA]`.
 * @param conditionB - e.g. the dense-caption conditions: `[batch, lengthB, width]` (the same width and batch).
 * @returns float32 scalar (a mean over the `2 · batch` cross-entropy terms); the caller owns it.
 */
export function contrastiveAlignmentLoss(
  conditionA: UnifiedModelV1Condition,
  conditionB: UnifiedModelV1Condition,
  options: ContrastiveAlignmentLossOptions = {},
): tf.Scalar {
  const { temperature = 0.07 } = options;
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError({ argument: 'temperature', message: `must be a positive finite number, got ${temperature}` });
  }
  const [batchSize, , width] = conditionA.embeddings.shape;
  const shapeB = conditionB.embeddings.shape;
  if (conditionB.embeddings.rank !== 3 || shapeB[0] !== batchSize || shapeB[2] !== width) {
    throw new ShapeMismatchError({
      tensorName: 'conditionB.embeddings',
      expected: [batchSize, null, width],
      actual: shapeB,
      context: 'contrastiveAlignmentLoss (both conditions need the same batch and width)',
    });
  }
  return tf.tidy(() => {
    const pooledA = normalizeRows(poolCondition(conditionA)); // [b, width]
    const pooledB = normalizeRows(poolCondition(conditionB)); // [b, width]
    const logits = tf.div(tf.matMul(pooledA, pooledB, false, true), tf.scalar(temperature)); // [b, b]
    const labels = tf.range(0, batchSize, 1, 'int32');
    const forward = crossEntropyWithIgnoreIndex(logits, labels);
    const backward = crossEntropyWithIgnoreIndex(tf.transpose(logits), labels);
    return tf.mul(tf.add(forward, backward), tf.scalar(0.5)) as tf.Scalar;
  });
}

/** Rows divided by `√(‖row‖² + 1e-12)` (finite gradient at a zero row). */
function normalizeRows(rows: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(rows, tf.rsqrt(tf.add(tf.sum(tf.square(rows), 1, true), tf.scalar(1e-12)))) as tf.Tensor2D;
}
