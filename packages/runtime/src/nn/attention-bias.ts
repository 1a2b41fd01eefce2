import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { causalMask } from './causal-mask.js';

/** Additive score for a blocked query–key pair: large enough that softmax gives it weight 0 in float32. */
export const BLOCKED_ATTENTION_SCORE = -1e9;

/** The masks {@link attentionBias} combines (all optional; a pair is allowed only if every given mask allows it). */
export interface AttentionMaskOptions {
  /**
   * Which query–key pairs may attend: bool, or float32/int32 0/1, `[queries, keys]` (shared by the batch) or
   * `[batch, queries, keys]` (built e.g. by `causalMask`, `blockCausalMask`). `true`/1 = allowed.
   */
  mask?: tf.Tensor;
  /** Add a causal mask (aligned to the end of the keys when there are more keys than queries). @default false */
  causal?: boolean;
  /** Which keys are real tokens: bool or 0/1 `[batch, keys]` (`paddingMask`). `false`/0 = padding, never attended. */
  keyPaddingMask?: tf.Tensor;
}

/**
 * Combines attention masks into one additive bias for the attention scores: 0 where allowed,
 * {@link BLOCKED_ATTENTION_SCORE} where blocked. A query row with every key blocked gets a uniform softmax (not NaN).
 *
 * @param batchSize - batch size of the attention call (to check batched masks).
 * @param queryLength - number of queries.
 * @param keyLength - number of keys.
 * @returns float32 `[1 or batch, 1, queries, keys]` (broadcasts over heads), or `null` when no mask is given; the
 *   caller owns it.
 */
export function attentionBias(
  batchSize: number,
  queryLength: number,
  keyLength: number,
  options: AttentionMaskOptions,
): tf.Tensor4D | null {
  const { mask, causal = false, keyPaddingMask } = options;
  if (!mask && !causal && !keyPaddingMask) return null;
  if (mask) {
    const matches =
      (mask.rank === 2 && mask.shape[0] === queryLength && mask.shape[1] === keyLength) ||
      (mask.rank === 3 && mask.shape[0] === batchSize && mask.shape[1] === queryLength && mask.shape[2] === keyLength);
    if (!matches) {
      throw new ShapeMismatchError({
        tensorName: 'mask',
        expected: mask.rank === 3 ? [batchSize, queryLength, keyLength] : [queryLength, keyLength],
        actual: mask.shape,
        context: 'attention mask ([queries, keys] or [batch, queries, keys])',
      });
    }
  }
  if (keyPaddingMask && (keyPaddingMask.rank !== 2 || keyPaddingMask.shape[0] !== batchSize || keyPaddingMask.shape[1] !== keyLength)) {
    throw new ShapeMismatchError({
      tensorName: 'keyPaddingMask',
      expected: [batchSize, keyLength],
      actual: keyPaddingMask.shape,
      context: 'attention key-padding mask',
    });
  }
  return tf.tidy(() => {
    let allowed: tf.Tensor = tf.ones([1, 1, queryLength, keyLength]);
    if (mask) {
      const rows = mask.rank === 3 ? batchSize : 1;
      allowed = tf.mul(allowed, tf.reshape(tf.cast(mask, 'float32'), [rows, 1, queryLength, keyLength]));
    }
    if (causal) {
      allowed = tf.mul(allowed, tf.reshape(tf.cast(causalMask(queryLength, { keyLength }), 'float32'), [1, 1, queryLength, keyLength]));
    }
    if (keyPaddingMask) {
      allowed = tf.mul(allowed, tf.reshape(tf.cast(keyPaddingMask, 'float32'), [batchSize, 1, 1, keyLength]));
    }
    return tf.mul(tf.sub(allowed, tf.scalar(1)), tf.scalar(-BLOCKED_ATTENTION_SCORE)) as tf.Tensor4D;
  });
}
