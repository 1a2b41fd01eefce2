import { tf } from '@reca/runtime';

/**
 * KL(N(mean1, exp(logVariance1)) ‖ N(mean2, exp(logVariance2))) elementwise (ADM's `normal_kl`):
 * `½ (−1 + logVariance2 − logVariance1 + exp(logVariance1 − logVariance2) + (mean1 − mean2)² · exp(−logVariance2))`.
 *
 * @param mean1 - float32, any shape (the others broadcast to it).
 * @returns float32 of the broadcast shape, in nats; the caller owns it.
 */
export function normalKl(mean1: tf.Tensor, logVariance1: tf.Tensor, mean2: tf.Tensor, logVariance2: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.mul(
      tf.addN([
        tf.scalar(-1),
        tf.sub(logVariance2, logVariance1),
        tf.exp(tf.sub(logVariance1, logVariance2)),
        tf.mul(tf.square(tf.sub(mean1, mean2)), tf.exp(tf.neg(logVariance2))),
      ].map((term) => tf.broadcastTo(term, broadcastShape(mean1, logVariance1, mean2, logVariance2)))),
      0.5,
    ),
  );
}

function broadcastShape(...tensors: tf.Tensor[]): number[] {
  const rank = Math.max(...tensors.map((tensor) => tensor.rank));
  return Array.from({ length: rank }, (_, axis) =>
    Math.max(...tensors.map((tensor) => (axis - (rank - tensor.rank) >= 0 ? (tensor.shape[axis - (rank - tensor.rank)] as number) : 1))),
  );
}
