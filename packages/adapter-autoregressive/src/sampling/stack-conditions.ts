import { ShapeMismatchError, tf } from '@reca/runtime';
import type { GeneratorCondition } from '../generator/llamagen-transformer.js';

/**
 * Stacks conditions along the batch (conditional and unconditional halves of a classifier-free-guidance batch, as
 * LlamaGen does with `torch.cat([cond, uncond])`). Shorter conditions are padded on the left with masked zeros: the
 * prefix carries no RoPE rotation and padding is never attended, so the result is unchanged.
 *
 * @param conditions - conditions of equal width.
 * @returns `embeddings` float32 `[Σ batch, max length, width]` and `mask` float32 `[Σ batch, max length]`; the caller
 *   owns them.
 */
export function stackConditions(conditions: readonly GeneratorCondition[]): GeneratorCondition {
  const width = conditions[0]?.embeddings.shape[2];
  if (width === undefined || conditions.some((condition) => condition.embeddings.shape[2] !== width)) {
    throw new ShapeMismatchError({
      tensorName: 'conditions',
      expected: [null, null, width ?? null],
      actual: conditions.map((condition) => condition.embeddings.shape[2]),
      context: 'stackConditions (every condition must have the same width)',
    });
  }
  const length = Math.max(...conditions.map((condition) => condition.embeddings.shape[1]));
  return tf.tidy(() => {
    const embeddings: tf.Tensor3D[] = [];
    const masks: tf.Tensor2D[] = [];
    for (const { embeddings: values, mask } of conditions) {
      const padding = length - values.shape[1];
      embeddings.push(padding > 0 ? tf.pad(values, [[0, 0], [padding, 0], [0, 0]]) : values);
      masks.push(padding > 0 ? tf.pad(tf.cast(mask, 'float32') as tf.Tensor2D, [[0, 0], [padding, 0]]) : (tf.cast(mask, 'float32') as tf.Tensor2D));
    }
    return { embeddings: tf.concat(embeddings, 0), mask: tf.concat(masks, 0) };
  });
}
