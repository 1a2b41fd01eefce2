import { ShapeMismatchError, tf } from '@reca/runtime';
import type { DenoiserCondition } from '../denoiser/diffusion-transformer.js';

/**
 * Stacks two conditions along the batch, padding the shorter sequence with masked zeros, so the conditional and the
 * unconditional (null-prompt) branch of classifier-free guidance run in one DiT call. Padding is masked out as keys,
 * so it does not change either branch.
 *
 * @param first - `embeddings` float32 `[b1, L1, width]`, `mask` `[b1, L1]`.
 * @param second - `embeddings` float32 `[b2, L2, width]`, `mask` `[b2, L2]`.
 * @returns `embeddings` `[b1 + b2, max(L1, L2), width]` and `mask` `[b1 + b2, max(L1, L2)]`; the caller owns them.
 */
export function concatenateConditions(first: DenoiserCondition, second: DenoiserCondition): { embeddings: tf.Tensor3D; mask: tf.Tensor2D } {
  const width = first.embeddings.shape[2];
  if (second.embeddings.shape[2] !== width) {
    throw new ShapeMismatchError({
      tensorName: 'unconditionalCondition.embeddings',
      expected: [null, null, width],
      actual: second.embeddings.shape,
      context: 'classifier-free guidance (both conditions need the same width)',
    });
  }
  return tf.tidy(() => {
    const length = Math.max(first.embeddings.shape[1], second.embeddings.shape[1]);
    const pad = (condition: DenoiserCondition) => {
      const missing = length - condition.embeddings.shape[1];
      const mask = tf.cast(condition.mask, 'float32');
      if (missing === 0) return { embeddings: condition.embeddings, mask };
      return {
        embeddings: tf.pad(condition.embeddings, [[0, 0], [0, missing], [0, 0]]),
        mask: tf.pad(mask, [[0, 0], [0, missing]]),
      };
    };
    const [a, b] = [pad(first), pad(second)];
    return { embeddings: tf.concat([a.embeddings, b.embeddings], 0) as tf.Tensor3D, mask: tf.concat([a.mask, b.mask], 0) as tf.Tensor2D };
  });
}
