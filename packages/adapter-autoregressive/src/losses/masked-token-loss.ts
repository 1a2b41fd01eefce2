import { crossEntropyWithIgnoreIndex, ShapeMismatchError, tf } from '@reca/runtime';
import type { GeneratorCondition, LlamaGenTransformer } from '../generator/llamagen-transformer.js';

/** Label of positions left out of the loss (PyTorch's `ignore_index`, Show-o's `-100`). */
export const IGNORED_LABEL = -100;

/**
 * MaskGIT/Show-o masked-token loss: the masked image tokens are replaced by `[MASK]`, the generator sees every
 * other token (bidirectionally) and the condition, and the loss is the cross-entropy at the masked positions only
 * (labels −100 elsewhere; Show-o `modeling_showo.py`), a mean over masked tokens.
 *
 * @param transformer - a masked-mode generator.
 * @param condition - the prefix of each sample.
 * @param tokens - int32 `[batch, gridSize²]`: the target image's VQ codes.
 * @param masked - `[batch · gridSize²]` row-major, 1 where a token is masked (from `drawTokenMasks`).
 * @returns float32 scalar (mean over masked tokens); the caller owns it.
 */
export function maskedTokenLoss(transformer: LlamaGenTransformer, condition: GeneratorCondition, tokens: tf.Tensor2D, masked: Uint8Array): tf.Scalar {
  const [batchSize, count] = tokens.shape;
  if (tokens.rank !== 2 || count !== transformer.imageTokens || masked.length !== batchSize * count) {
    throw new ShapeMismatchError({
      tensorName: 'tokens',
      expected: [null, transformer.imageTokens],
      actual: tokens.shape,
      context: `maskedTokenLoss (masks of length ${masked.length})`,
    });
  }
  return tf.tidy(() => {
    const maskTensor = tf.cast(tf.tensor2d(masked, [batchSize, count], 'int32'), 'bool');
    const inputIds = tf.where(maskTensor, tf.fill([batchSize, count], transformer.maskTokenId, 'int32'), tokens) as tf.Tensor2D;
    const labels = tf.where(maskTensor, tokens, tf.fill([batchSize, count], IGNORED_LABEL, 'int32'));
    return crossEntropyWithIgnoreIndex(transformer.imageLogits(condition, inputIds), labels, { ignoreIndex: IGNORED_LABEL }) as tf.Scalar;
  });
}
