import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianDiffusionSchedule } from '../diffusion/gaussian-diffusion-schedule.js';
import { DdimSampler } from './ddim-sampler.js';
import { DdpmSampler } from './ddpm-sampler.js';
import type { TokenSampler } from './token-denoiser.js';

describe('DDPM and DDIM token samplers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const schedule = GaussianDiffusionSchedule.cosine();
  const clean = [[0.3, -0.7], [1.2, 0.1]];

  /** The exact ε-predictor for a point mass at `clean`: ε = (x_t − √ᾱ x₀) / √(1 − ᾱ). */
  const oracle = (seen: number[]) => (noisy: tf.Tensor2D, originalTimestep: number) => {
    seen.push(originalTimestep);
    const alphaBar = schedule.alphasCumprod[originalTimestep] as number;
    return tf.tidy(() => tf.div(tf.sub(noisy, tf.mul(tf.tensor2d(clean), Math.sqrt(alphaBar))), Math.sqrt(1 - alphaBar)) as tf.Tensor2D);
  };

  const cases: Array<[string, TokenSampler]> = [
    ['DDPM, 25 respaced steps', new DdpmSampler({ schedule, steps: 25, varianceType: 'fixed-large' })],
    ['DDIM η = 0, 10 steps', new DdimSampler({ schedule, steps: 10, varianceType: 'fixed-large' })],
    ['DDIM η = 1, 10 steps', new DdimSampler({ schedule, steps: 10, varianceType: 'fixed-large', eta: 1 })],
  ];
  for (const [label, sampler] of cases) {
    it(`recovers x₀ with an exact ε-predictor and calls it with the original timesteps, last to first (${label})`, () => {
      const seen: number[] = [];
      const noise = new SeededRandom(1).normalTensor([2, 2]) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const result = sampler.sample({ noise, denoise: oracle(seen), random: new SeededRandom(2) });
      expect(tf.memory().numTensors).toBe(before + 1);
      const values = result.arraySync();
      values.forEach((row, index) => row.forEach((value, channel) => expect(value).toBeCloseTo(clean[index]![channel]!, 2)));
      expect(seen).toEqual(GaussianDiffusionSchedule.spacedTimesteps(1000, sampler.steps).reverse());
      tf.dispose([noise, result]);
    });
  }

  it('draws the same samples for the same seed and scales the per-step noise by the temperature', () => {
    const sampler = new DdpmSampler({ schedule, steps: 5, varianceType: 'fixed-large' });
    const zero = () => (noisy: tf.Tensor2D) => tf.zerosLike(noisy) as tf.Tensor2D;
    const noise = tf.zeros([1, 2]) as tf.Tensor2D;
    const run = (seed: number, temperature: number) => {
      const result = sampler.sample({ noise, denoise: zero(), random: new SeededRandom(seed), temperature });
      const values = Array.from(result.dataSync());
      result.dispose();
      return values;
    };
    expect(run(3, 1)).toEqual(run(3, 1));
    // From x_T = 0 with ε̂ = 0 every step is linear in the injected noise, so the result scales with the temperature.
    run(3, 1).forEach((value, index) => expect(run(3, 0.5)[index]).toBeCloseTo(value / 2, 5));
    noise.dispose();
  });
});
