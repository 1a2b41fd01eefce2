import { tf } from '@reca/runtime';

/**
 * ADM's `approx_standard_normal_cdf`: `½ (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
 * @returns float32 of `input`'s shape; the caller owns it.
 */
export function approximateStandardNormalCdf(input: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.mul(tf.add(tf.tanh(tf.mul(tf.add(input, tf.mul(tf.pow(input, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1), 0.5),
  );
}

/**
 * Log-likelihood of `values` under a Gaussian discretised into 255 bins of width 2/255 on [−1, 1], the outer bins
 * extending to ±∞ (ADM's `discretized_gaussian_log_likelihood`, the t = 0 term of MAR's variational bound).
 *
 * @param values - float32 targets, any shape.
 * @param means - float32, same shape.
 * @param logScales - float32 log standard deviations, same shape.
 * @returns float32 log-probabilities (nats), same shape; the caller owns it.
 */
export function discretizedGaussianLogLikelihood(values: tf.Tensor, means: tf.Tensor, logScales: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const centered = tf.sub(values, means);
    const inverseStandardDeviation = tf.exp(tf.neg(logScales));
    const cdfPlus = approximateStandardNormalCdf(tf.mul(inverseStandardDeviation, tf.add(centered, 1 / 255)));
    const cdfMinus = approximateStandardNormalCdf(tf.mul(inverseStandardDeviation, tf.sub(centered, 1 / 255)));
    const logCdfPlus = tf.log(tf.maximum(cdfPlus, 1e-12));
    const logOneMinusCdfMinus = tf.log(tf.maximum(tf.sub(1, cdfMinus), 1e-12));
    const logCdfDelta = tf.log(tf.maximum(tf.sub(cdfPlus, cdfMinus), 1e-12));
    return tf.where(tf.less(values, -0.999), logCdfPlus, tf.where(tf.greater(values, 0.999), logOneMinusCdfMinus, logCdfDelta));
  });
}
