import { tf } from '@reca/runtime';

/**
 * The attention pattern of joint (in-context) conditioning over `[condition tokens, image tokens]`: image tokens
 * attend to every token; condition tokens attend only to condition tokens (BAGEL: understanding and text tokens come
 * before the noisy latents and never read them).
 *
 * @param conditionLength - condition tokens at the start of the sequence.
 * @param imageTokens - image tokens after them.
 * @returns float32 0/1 `[conditionLength + imageTokens, conditionLength + imageTokens]` (1 = may attend); the caller
 *   owns it.
 */
export function jointAttentionMask(conditionLength: number, imageTokens: number): tf.Tensor2D {
  const total = conditionLength + imageTokens;
  const values = new Float32Array(total * total);
  for (let query = 0; query < total; query++) {
    const visible = query < conditionLength ? conditionLength : total;
    values.fill(1, query * total, query * total + visible);
  }
  return tf.tensor2d(values, [total, total]);
}
