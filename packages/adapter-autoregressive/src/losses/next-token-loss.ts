import { crossEntropyWithIgnoreIndex, ShapeMismatchError, tf } from '@reca/runtime';
import type { GeneratorCondition, LlamaGenTransformer } from '../generator/llamagen-transformer.js';

/**
 * LlamaGen/Janus next-token loss: cross-entropy of every image token given the condition and the tokens before it
 * in raster order (LlamaGen `F.cross_entropy(logits.view(-1, V), targets.view(-1))`, a mean over all image tokens).
 *
 * @param transformer - a next-token-mode generator.
 * @param condition - the prefix of each sample.
 * @param tokens - int32 `[batch, gridSize²]`: the target image's VQ codes.
 * @returns float32 scalar (mean over image tokens); the caller owns it.
 */
export function nextTokenLoss(transformer: LlamaGenTransformer, condition: GeneratorCondition, tokens: tf.Tensor2D): tf.Scalar {
  if (tokens.rank !== 2 || tokens.shape[1] !== transformer.imageTokens) {
    throw new ShapeMismatchError({ tensorName: 'tokens', expected: [null, transformer.imageTokens], actual: tokens.shape, context: 'nextTokenLoss' });
  }
  return tf.tidy(() => crossEntropyWithIgnoreIndex(transformer.imageLogits(condition, tokens), tokens) as tf.Scalar);
}
