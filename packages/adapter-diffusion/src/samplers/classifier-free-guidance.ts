import { tf } from '@reca/runtime';

/**
 * Classifier-free guidance (Ho & Salimans 2022) on velocities: `v = v_uncond + scale · (v_cond − v_uncond)`.
 * Scale 1 gives the conditional velocity, 0 the unconditional one.
 *
 * @param conditional - float32 `[batch, ...]`: the prediction under the condition.
 * @param unconditional - float32, same shape: the prediction under the null condition.
 * @param scale - the guidance scale.
 * @returns float32 of the same shape; the caller owns it.
 */
export function classifierFreeGuidance(conditional: tf.Tensor, unconditional: tf.Tensor, scale: number): tf.Tensor {
  return tf.tidy(() => tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), scale)));
}
