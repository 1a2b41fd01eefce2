import { tf } from '@reca/runtime';

/**
 * Classifier-free guidance on logits (LlamaGen: `uncond + (cond − uncond) · cfg_scale`): the first half of the batch
 * is conditional, the second unconditional. Scale 1 returns the conditional logits.
 *
 * @param logits - float32 `[2·batch, ...]`.
 * @param guidanceScale - the guidance scale.
 * @returns float32 `[batch, ...]`; the caller owns it.
 */
export function guidedLogits(logits: tf.Tensor, guidanceScale: number): tf.Tensor {
  return tf.tidy(() => {
    const [conditional, unconditional] = tf.split(logits, 2, 0) as [tf.Tensor, tf.Tensor];
    if (guidanceScale === 1) return conditional;
    return tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), tf.scalar(guidanceScale)));
  });
}
