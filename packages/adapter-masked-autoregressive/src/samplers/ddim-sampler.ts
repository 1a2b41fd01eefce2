import { InvalidArgumentError, tf } from '@reca/runtime';
import { GaussianDiffusion, type DiffusionVarianceType } from '../diffusion/gaussian-diffusion.js';
import type { GaussianDiffusionSchedule } from '../diffusion/gaussian-diffusion-schedule.js';
import type { TokenSampler, TokenSamplerOptions } from './token-denoiser.js';

/** Options of the {@link DdimSampler} constructor. */
export interface DdimSamplerOptions {
  schedule: GaussianDiffusionSchedule;
  /** Steps to sample with (the schedule is respaced to them). */
  steps: number;
  varianceType: DiffusionVarianceType;
  /** η: 0 is deterministic DDIM, 1 matches DDPM's posterior variance. @default 0 */
  eta?: number;
}

/**
 * DDIM sampling on a respaced schedule (ADM's `ddim_sample_loop`): with x̂_0 and ε̂ from the network,
 * `σ = η √((1 − ᾱ_prev)/(1 − ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev)` and
 * `x_prev = √ᾱ_prev x̂_0 + √(1 − ᾱ_prev − σ²) ε̂ + [t > 0] σ z · temperature`. The learned variance is not used.
 */
export class DdimSampler implements TokenSampler {
  readonly kind = 'ddim' as const;
  readonly steps: number;
  readonly eta: number;
  readonly diffusion: GaussianDiffusion;

  constructor(options: DdimSamplerOptions) {
    const { eta = 0 } = options;
    if (!(eta >= 0) || !Number.isFinite(eta)) throw new InvalidArgumentError({ argument: 'eta', message: `must be a finite number ≥ 0, got ${eta}` });
    this.eta = eta;
    this.diffusion = new GaussianDiffusion(options.schedule.respaced(options.steps), options.varianceType);
    this.steps = this.diffusion.schedule.numTimesteps;
  }

  sample(options: TokenSamplerOptions): tf.Tensor2D {
    const { noise, denoise, random, temperature = 1 } = options;
    const rows = noise.shape[0];
    const channels = noise.shape[1];
    const schedule = this.diffusion.schedule;
    let current = noise.clone();
    for (let step = this.steps - 1; step >= 0; step--) {
      const timesteps = new Int32Array(rows).fill(step);
      const alphaBar = schedule.alphasCumprod[step] as number;
      const alphaBarPrevious = schedule.alphasCumprodPrevious[step] as number;
      const sigma = this.eta * Math.sqrt((1 - alphaBarPrevious) / (1 - alphaBar)) * Math.sqrt(1 - alphaBar / alphaBarPrevious);
      const next = tf.tidy(() => {
        const output = denoise(current, schedule.timestepMap[step] as number);
        const epsilon = output.shape[1] === channels ? output : (tf.slice(output, [0, 0], [rows, channels]) as tf.Tensor2D);
        const { predictedStart } = this.diffusion.reverseStep(output, current, timesteps);
        const direction = tf.mul(epsilon, Math.sqrt(Math.max(0, 1 - alphaBarPrevious - sigma * sigma)));
        let result = tf.add(tf.mul(predictedStart, Math.sqrt(alphaBarPrevious)), direction);
        if (step > 0 && sigma > 0) result = tf.add(result, tf.mul(random.normalTensor([rows, channels]), sigma * temperature));
        return result as tf.Tensor2D;
      });
      current.dispose();
      current = next;
    }
    return current;
  }
}
