import { describe, expect, it } from 'vitest';
import { GaussianDiffusionSchedule } from './gaussian-diffusion-schedule.js';

describe('GaussianDiffusionSchedule', () => {
  const schedule = GaussianDiffusionSchedule.cosine();

  it("builds Nichol & Dhariwal's cosine betas over 1000 steps (values from ADM's formula in Python)", () => {
    expect(schedule.numTimesteps).toBe(1000);
    expect(schedule.betas[0]).toBeCloseTo(4.128422482196914e-5, 12);
    expect(schedule.betas[499]).toBeCloseTo(0.0031458862304780677, 10);
    expect(schedule.betas[999]).toBe(0.999);
    const alphaBar = (fraction: number) => Math.cos(((fraction + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const step of [0, 10, 500, 900]) expect(schedule.alphasCumprod[step]).toBeCloseTo(alphaBar((step + 1) / 1000) / alphaBar(0), 10);
  });

  it('derives the posterior q(x_{t−1} | x_t, x_0) quantities', () => {
    for (const step of [1, 100, 998]) {
      const beta = schedule.betas[step] as number;
      const alphaBar = schedule.alphasCumprod[step] as number;
      const previous = schedule.alphasCumprod[step - 1] as number;
      expect(schedule.alphasCumprodPrevious[step]).toBe(previous);
      expect(schedule.posteriorVariance[step]).toBeCloseTo((beta * (1 - previous)) / (1 - alphaBar), 12);
      expect(schedule.posteriorMeanCoefficient1[step]).toBeCloseTo((beta * Math.sqrt(previous)) / (1 - alphaBar), 12);
      expect(schedule.posteriorMeanCoefficient2[step]).toBeCloseTo(((1 - previous) * Math.sqrt(1 - beta)) / (1 - alphaBar), 12);
    }
    expect(schedule.posteriorVariance[0]).toBe(0);
    expect(schedule.posteriorLogVarianceClipped[0]).toBeCloseTo(Math.log(schedule.posteriorVariance[1] as number), 12);
  });

  it("keeps ADM's spaced timesteps (values from space_timesteps in Python)", () => {
    expect(GaussianDiffusionSchedule.spacedTimesteps(1000, 100).slice(0, 12)).toEqual([0, 10, 20, 30, 40, 50, 61, 71, 81, 91, 101, 111]);
    expect(GaussianDiffusionSchedule.spacedTimesteps(1000, 10)).toEqual([0, 111, 222, 333, 444, 555, 666, 777, 888, 999]);
    expect(GaussianDiffusionSchedule.spacedTimesteps(1000, 25).slice(0, 8)).toEqual([0, 42, 83, 125, 166, 208, 250, 291]);
    expect(() => GaussianDiffusionSchedule.spacedTimesteps(1000, 0)).toThrow(/steps/);
  });

  it('respaces so that ᾱ at the kept steps is unchanged and the map points to original timesteps', () => {
    const respaced = schedule.respaced(10);
    expect(respaced.numTimesteps).toBe(10);
    expect(Array.from(respaced.timestepMap)).toEqual([0, 111, 222, 333, 444, 555, 666, 777, 888, 999]);
    respaced.timestepMap.forEach((original, index) => expect(respaced.alphasCumprod[index]).toBeCloseTo(schedule.alphasCumprod[original] as number, 12));
    const twice = respaced.respaced(5);
    expect(Array.from(twice.timestepMap)).toEqual([0, 222, 444, 777, 999].map((value) => value));
  });
});
