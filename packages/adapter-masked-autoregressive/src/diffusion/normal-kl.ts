import { tf } from '@reca/runtime';

/**
 * KL(N(mean1, exp(logVariance1)) ‖ N(mean2, exp(logVariance2))) elementwise (ADM's `normal_kl`):
 * `½ (−1 + logVariance2 − logVariance1 + exp(logVariance1 − logVariance2) + (mean1 − mean2)² · exp(−logVariance2))`.
 *
 * @param mean1 - float32, any shape (the others broadcast with it).
 * @returns float32 of the broadcast shape, in nats; the caller owns it.
 */
export function normalKl(mean1: tf.Tensor, logVariance1: tf.Tensor, mean2: tf.Tensor, logVariance2: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logRatio = tf.sub(logVariance2, logVariance1);
    const varianceRatio = tf.exp(tf.sub(logVariance1, logVariance2));
    const meanTerm = tf.mul(tf.square(tf.sub(mean1, mean2)), tf.exp(tf.neg(logVariance2)));
    return tf.mul(tf.add(tf.add(tf.add(logRatio, varianceRatio), meanTerm), -1), 0.5);
  });
}
