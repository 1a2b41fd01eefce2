import { tf } from '@reca/runtime';
import { GaussianDiffusion, type DiffusionVarianceType } from '../diffusion/gaussian-diffusion.js';
import type { GaussianDiffusionSchedule } from '../diffusion/gaussian-diffusion-schedule.js';
import type { TokenSampler, TokenSamplerOptions } from './token-denoiser.js';

/** Options of the {@link DdpmSampler} constructor. */
export interface DdpmSamplerOptions {
  /** The training schedule (usually 1000 cosine steps). */
  schedule: GaussianDiffusionSchedule;
  /** Steps to sample with: the schedule is respaced to them (MAR's `num_sampling_steps`, default '100'). */
  steps: number;
  varianceType: DiffusionVarianceType;
}

/**
 * Ancestral DDPM sampling on a respaced schedule (ADM's `p_sample_loop`, as MAR's `DiffLoss.sample` runs it):
 * `x_{t−1} = μ_θ(x_t, t) + [t > 0] · exp(½ log σ²_θ) · z · temperature`, z ~ N(0, 1) from the seeded stream.
 */
export class DdpmSampler implements TokenSampler {
  readonly kind = 'ddpm' as const;
  readonly steps: number;
  readonly diffusion: GaussianDiffusion;

  constructor(options: DdpmSamplerOptions) {
    this.diffusion = new GaussianDiffusion(options.schedule.respaced(options.steps), options.varianceType);
    this.steps = this.diffusion.schedule.numTimesteps;
  }

  sample(options: TokenSamplerOptions): tf.Tensor2D {
    const { noise, denoise, random, temperature = 1 } = options;
    const rows = noise.shape[0];
    let current = noise.clone();
    for (let step = this.steps - 1; step >= 0; step--) {
      const timesteps = new Int32Array(rows).fill(step);
      const next = tf.tidy(() => {
        const output = denoise(current, this.diffusion.schedule.timestepMap[step] as number);
        const reverse = this.diffusion.reverseStep(output, current, timesteps);
        if (step === 0) return reverse.mean;
        const fresh = random.normalTensor([...noise.shape]);
        return tf.add(reverse.mean, tf.mul(tf.exp(tf.mul(reverse.logVariance, 0.5)), tf.mul(fresh, temperature))) as tf.Tensor2D;
      });
      current.dispose();
      current = next;
    }
    return current;
  }
}
