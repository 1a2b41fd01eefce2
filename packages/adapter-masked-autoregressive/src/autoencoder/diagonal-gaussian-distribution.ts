import { type SeededRandom, tf } from '@reca/runtime';

/**
 * The autoencoder's posterior `N(mean, exp(logVariance))` per latent element (LDM's `DiagonalGaussianDistribution`;
 * the log-variance is clipped to [−30, 20] as there). Holds its tensors; call {@link dispose}.
 */
export class DiagonalGaussianDistribution {
  /** float32 `[batch, height, width, channels]`. */
  readonly mean: tf.Tensor4D;
  /** float32 `[batch, height, width, channels]`, clipped to [−30, 20]. */
  readonly logVariance: tf.Tensor4D;

  /**
   * @param moments - float32 `[batch, height, width, 2·channels]`: means then log-variances along the last axis
   *   (LDM's `torch.chunk(parameters, 2, dim=1)`). Not taken over: the caller still owns it.
   */
  constructor(moments: tf.Tensor4D) {
    const channels = moments.shape[3] / 2;
    [this.mean, this.logVariance] = tf.tidy(() => {
      const [mean, logVariance] = tf.split(moments, [channels, channels], 3) as [tf.Tensor4D, tf.Tensor4D];
      return [mean, tf.clipByValue(logVariance, -30, 20) as tf.Tensor4D];
    });
  }

  /** The mean (the posterior's mode). @returns a new tensor; the caller owns it. */
  mode(): tf.Tensor4D {
    return this.mean.clone();
  }

  /**
   * `mean + exp(logVariance / 2) · ε`, ε ~ N(0, 1) drawn from `random`.
   * @returns float32 `[batch, height, width, channels]`; the caller owns it.
   */
  sample(random: SeededRandom): tf.Tensor4D {
    return tf.tidy(() => {
      const noise = random.normalTensor([...this.mean.shape]);
      return tf.add(this.mean, tf.mul(tf.exp(tf.mul(this.logVariance, 0.5)), noise)) as tf.Tensor4D;
    });
  }

  /**
   * KL divergence to N(0, 1) per sample: `½ Σ (mean² + var − 1 − logVariance)` over every latent element.
   * @returns float32 `[batch]`; the caller owns it.
   */
  kl(): tf.Tensor1D {
    return tf.tidy(
      () =>
        tf.mul(
          tf.sum(tf.sub(tf.sub(tf.add(tf.square(this.mean), tf.exp(this.logVariance)), 1), this.logVariance), [1, 2, 3]),
          0.5,
        ) as tf.Tensor1D,
    );
  }

  dispose(): void {
    tf.dispose([this.mean, this.logVariance]);
  }
}
