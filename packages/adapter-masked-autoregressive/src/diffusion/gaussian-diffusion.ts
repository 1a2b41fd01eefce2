import { InvalidArgumentError, stopGradient, tf } from '@reca/runtime';
import { discretizedGaussianLogLikelihood } from './discretized-gaussian-log-likelihood.js';
import type { GaussianDiffusionSchedule } from './gaussian-diffusion-schedule.js';
import { normalKl } from './normal-kl.js';

/**
 * How the reverse-process variance is chosen (ADM's `ModelVarType`):
 * - `'learned-range'`: the network outputs v ∈ [−1, 1] per channel after ε, and log σ² interpolates between the
 *   clipped posterior log-variance and log β (MAR/Harmon: `learn_sigma=True`);
 * - `'fixed-large'`: σ² = β_t (with the t = 0 entry replaced by the posterior variance at t = 1), ε only.
 */
export type DiffusionVarianceType = 'learned-range' | 'fixed-large';

/** The reverse-step distribution p(x_{t−1} | x_t) for a batch of rows. */
export interface ReverseStep {
  /** float32 `[rows, channels]`. */
  mean: tf.Tensor2D;
  /** float32 `[rows, channels]`. */
  logVariance: tf.Tensor2D;
  /** float32 `[rows, channels]`: the x_0 implied by ε. */
  predictedStart: tf.Tensor2D;
}

/** Inputs of {@link GaussianDiffusion.trainingLoss}. */
export interface DiffusionTrainingLossInput {
  /** float32 `[rows, channels]`: x_0. */
  start: tf.Tensor2D;
  /** float32 `[rows, channels]`: ε. */
  noise: tf.Tensor2D;
  /** Step index of each row in this schedule (0 … T−1). */
  timesteps: Int32Array;
  /** The network on (x_t, original timesteps) → float32 `[rows, channels or 2·channels]`. */
  network: (noisy: tf.Tensor2D, timesteps: tf.Tensor1D) => tf.Tensor2D;
}

/**
 * The Gaussian diffusion process MAR's diffusion loss uses (ADM's `GaussianDiffusion` with ε-prediction), on rows of
 * token vectors: forward noising, the reverse-step distribution and the training loss.
 */
export class GaussianDiffusion {
  readonly schedule: GaussianDiffusionSchedule;
  readonly varianceType: DiffusionVarianceType;
  /** log β_t per step: the upper end of the learned variance range. */
  readonly #logBetas: Float64Array;
  /** log σ² per step of the fixed-large variance: log β_t, with t = 0 using the posterior variance at t = 1. */
  readonly #logLargeVariances: Float64Array;

  constructor(schedule: GaussianDiffusionSchedule, varianceType: DiffusionVarianceType) {
    if (varianceType !== 'learned-range' && varianceType !== 'fixed-large') {
      throw new InvalidArgumentError({ argument: 'varianceType', message: `must be 'learned-range' or 'fixed-large', got '${String(varianceType)}'` });
    }
    this.schedule = schedule;
    this.varianceType = varianceType;
    // Computed once: every training step reads them (a step of the tiny preset computed them ~20 times).
    this.#logBetas = schedule.betas.map(Math.log);
    this.#logLargeVariances = schedule.betas.map((beta, step) => Math.log(step === 0 ? ((schedule.posteriorVariance[1] ?? beta) as number) : beta));
  }

  /** Output channels the network needs for `channels`-wide tokens. */
  outputChannels(channels: number): number {
    return this.varianceType === 'learned-range' ? 2 * channels : channels;
  }

  /**
   * Per-row coefficients as a column.
   * @returns float32 `[rows, 1]`; the caller owns it.
   */
  coefficient(values: Float64Array, timesteps: Int32Array): tf.Tensor2D {
    return tf.tensor2d(gather(values, timesteps), [timesteps.length, 1]);
  }

  /** The original timestep of each row, for the network. @returns float32 `[rows]`; the caller owns it. */
  originalTimesteps(timesteps: Int32Array): tf.Tensor1D {
    return tf.tensor1d(gather(this.schedule.timestepMap, timesteps));
  }

  /** x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε. @returns float32 `[rows, channels]`; the caller owns it. */
  addNoise(start: tf.Tensor2D, noise: tf.Tensor2D, timesteps: Int32Array): tf.Tensor2D {
    return tf.tidy(
      () =>
        tf.add(
          tf.mul(this.coefficient(this.schedule.sqrtAlphasCumprod, timesteps), start),
          tf.mul(this.coefficient(this.schedule.sqrtOneMinusAlphasCumprod, timesteps), noise),
        ) as tf.Tensor2D,
    );
  }

  /** Mean and clipped log-variance of q(x_{t−1} | x_t, x_0). The caller owns both. */
  posterior(start: tf.Tensor2D, noisy: tf.Tensor2D, timesteps: Int32Array): { mean: tf.Tensor2D; logVariance: tf.Tensor2D } {
    return tf.tidy(() => ({
      mean: tf.add(
        tf.mul(this.coefficient(this.schedule.posteriorMeanCoefficient1, timesteps), start),
        tf.mul(this.coefficient(this.schedule.posteriorMeanCoefficient2, timesteps), noisy),
      ) as tf.Tensor2D,
      logVariance: tf.mul(this.coefficient(this.schedule.posteriorLogVarianceClipped, timesteps), tf.onesLike(start)) as tf.Tensor2D,
    }));
  }

  /**
   * p(x_{t−1} | x_t) from the network output (ADM's `p_mean_variance`, no clipping of x_0).
   *
   * @param output - float32 `[rows, channels]` (ε) or `[rows, 2·channels]` (ε, v) per {@link varianceType}.
   * @param noisy - float32 `[rows, channels]`: x_t.
   * @returns the caller owns the tensors.
   */
  reverseStep(output: tf.Tensor2D, noisy: tf.Tensor2D, timesteps: Int32Array): ReverseStep {
    const channels = noisy.shape[1];
    if (output.shape[1] !== this.outputChannels(channels)) {
      throw new InvalidArgumentError({
        argument: 'output',
        message: `has ${output.shape[1]} channels; '${this.varianceType}' needs ${this.outputChannels(channels)} for ${channels}-channel tokens`,
      });
    }
    return tf.tidy(() => {
      const schedule = this.schedule;
      let epsilon = output;
      let logVariance: tf.Tensor2D;
      if (this.varianceType === 'learned-range') {
        const [predicted, values] = tf.split(output, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        epsilon = predicted;
        const minimum = this.coefficient(schedule.posteriorLogVarianceClipped, timesteps);
        const maximum = this.coefficient(this.#logBetas, timesteps);
        const fraction = tf.div(tf.add(values, 1), 2);
        logVariance = tf.add(tf.mul(fraction, maximum), tf.mul(tf.sub(1, fraction), minimum)) as tf.Tensor2D;
      } else {
        logVariance = tf.mul(this.coefficient(this.#logLargeVariances, timesteps), tf.onesLike(noisy)) as tf.Tensor2D;
      }
      const predictedStart = tf.sub(
        tf.mul(this.coefficient(schedule.sqrtRecipAlphasCumprod, timesteps), noisy),
        tf.mul(this.coefficient(schedule.sqrtRecipm1AlphasCumprod, timesteps), epsilon),
      ) as tf.Tensor2D;
      const { mean } = this.posterior(predictedStart, noisy, timesteps);
      return { mean, logVariance, predictedStart };
    });
  }

  /**
   * ADM's `training_losses` with loss type MSE, per row: `mean_c (ε − ε̂)²`, plus with learned variance the
   * variational-bound term in bits per dimension computed with ε̂ frozen (so it trains only the variance):
   * `KL(q(x_{t−1}|x_t,x_0) ‖ p(x_{t−1}|x_t))` for t > 0 and the discretised decoder NLL for t = 0.
   *
   * @returns float32 `[rows]`; the caller owns it.
   */
  trainingLoss(input: DiffusionTrainingLossInput): tf.Tensor1D {
    const { start, noise, timesteps, network } = input;
    if (timesteps.length !== start.shape[0]) {
      throw new InvalidArgumentError({ argument: 'timesteps', message: `must have one entry per row (${start.shape[0]}), got ${timesteps.length}` });
    }
    return tf.tidy(() => {
      const noisy = this.addNoise(start, noise, timesteps);
      const output = network(noisy, this.originalTimesteps(timesteps));
      if (this.varianceType === 'fixed-large') {
        return tf.mean(tf.square(tf.sub(noise, output)), 1) as tf.Tensor1D;
      }
      const [epsilon, values] = tf.split(output, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const meanSquaredError = tf.mean(tf.square(tf.sub(noise, epsilon)), 1);
      const frozen = tf.concat([stopGradient(epsilon), values], 1) as tf.Tensor2D;
      const model = this.reverseStep(frozen, noisy, timesteps);
      const truth = this.posterior(start, noisy, timesteps);
      const kl = tf.div(tf.mean(normalKl(truth.mean, truth.logVariance, model.mean, model.logVariance), 1), Math.LN2);
      const decoderNll = tf.div(
        tf.mean(tf.neg(discretizedGaussianLogLikelihood(start, model.mean, tf.mul(model.logVariance, 0.5))), 1),
        Math.LN2,
      );
      const isFirst = tf.tensor1d(Array.from(timesteps, (step) => (step === 0 ? 1 : 0)), 'bool');
      const variationalBound = tf.where(isFirst, decoderNll, kl);
      return tf.add(meanSquaredError, variationalBound) as tf.Tensor1D;
    });
  }
}

/**
 * `values[step]` for each step, as float32. A plain loop: `Float32Array.from(steps, mapFunction)` goes through the
 * iterator protocol and a callback per element, about 10× slower, and a training step gathers thousands of rows.
 */
function gather(values: ArrayLike<number>, steps: Int32Array): Float32Array {
  const gathered = new Float32Array(steps.length);
  for (let index = 0; index < steps.length; index++) gathered[index] = values[steps[index] as number] as number;
  return gathered;
}
