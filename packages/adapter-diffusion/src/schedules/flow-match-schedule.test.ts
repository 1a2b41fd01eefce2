import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnknownPredictionTypeError } from '../errors/unknown-prediction-type-error.js';
import { FlowMatchSchedule, type FlowPredictionType } from './flow-match-schedule.js';
import { shiftTimestep } from './shift-timestep.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index] as number;
  return sum / values.length;
}

function variance(values: ArrayLike<number>): number {
  const center = mean(values);
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += ((values[index] as number) - center) ** 2;
  return sum / values.length;
}

/** Largest gap between the empirical CDF of `values` and `cdf` (Kolmogorov–Smirnov statistic). */
function kolmogorovSmirnov(values: ArrayLike<number>, cdf: (value: number) => number): number {
  const sorted = Array.from(values).sort((first, second) => first - second);
  let worst = 0;
  sorted.forEach((value, index) => {
    const expected = cdf(value);
    worst = Math.max(worst, Math.abs((index + 1) / sorted.length - expected), Math.abs(index / sorted.length - expected));
  });
  return worst;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
function normalCdf(value: number): number {
  const x = Math.abs(value) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-x * x);
  return value >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('FlowMatchSchedule', () => {
  it('adds noise as x_t = (1 − t)·x0 + t·ε, element by element, one t per sample', () => {
    const schedule = new FlowMatchSchedule();
    const random = new SeededRandom(1);
    const shape = [3, 2, 2, 2];
    const sample = random.normalTensor(shape);
    const noise = random.normalTensor(shape);
    const times = [0, 0.3, 1];
    const timesteps = tf.tensor1d(times);
    const noisy = schedule.addNoise(sample, noise, timesteps);
    const x0 = sample.dataSync();
    const epsilon = noise.dataSync();
    const actual = noisy.dataSync();
    const perSample = 8;
    for (let index = 0; index < actual.length; index++) {
      const t = times[Math.floor(index / perSample)] as number;
      const expected = (1 - t) * (x0[index] as number) + t * (epsilon[index] as number);
      expect(actual[index]).toBeCloseTo(expected, 6);
    }
    // t = 0 is the data, t = 1 the noise, exactly.
    expect(Array.from(actual.slice(0, perSample))).toEqual(Array.from(x0.slice(0, perSample)));
    expect(Array.from(actual.slice(2 * perSample))).toEqual(Array.from(epsilon.slice(2 * perSample)));
    tf.dispose([sample, noise, timesteps, noisy]);
  });

  it('returns ε − x0 for flow, ε for epsilon, x0 for sample, and throws UnknownPredictionTypeError otherwise', () => {
    const schedule = new FlowMatchSchedule();
    const sample = tf.tensor2d([[1, -2], [0.5, 3]]);
    const noise = tf.tensor2d([[0.25, 1], [-1, 2]]);
    const expectations: Array<[FlowPredictionType, number[]]> = [
      ['flow', [-0.75, 3, -1.5, -1]],
      ['epsilon', [0.25, 1, -1, 2]],
      ['sample', [1, -2, 0.5, 3]],
    ];
    for (const [type, expected] of expectations) {
      const target = schedule.getTarget(sample, noise, type);
      expect(Array.from(target.dataSync())).toEqual(expected);
      target.dispose();
    }
    const before = tf.memory().numTensors;
    let caught: unknown;
    try {
      schedule.getTarget(sample, noise, 'v_prediction' as FlowPredictionType);
    } catch (error) {
      caught = error;
    }
    expect(UnknownPredictionTypeError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain("'v_prediction'");
    expect((caught as Error).message).toContain("'flow'");
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([sample, noise]);
  });

  it('the flow target is the time derivative of the noising path: d x_t / dt = ε − x0', () => {
    const schedule = new FlowMatchSchedule();
    const random = new SeededRandom(2);
    const sample = random.normalTensor([2, 5]);
    const noise = random.normalTensor([2, 5]);
    const [low, high] = [tf.tensor1d([0.4, 0.7]), tf.tensor1d([0.41, 0.71])];
    const derivative = tf.div(tf.sub(schedule.addNoise(sample, noise, high), schedule.addNoise(sample, noise, low)), 0.01);
    const target = schedule.getTarget(sample, noise, 'flow');
    const difference = tf.max(tf.abs(tf.sub(derivative, target))).dataSync()[0] as number;
    expect(difference).toBeLessThan(1e-3);
    tf.dispose([sample, noise, low, high, derivative, target]);
  });

  it('samples uniform timesteps with mean 1/2, variance 1/12 and a uniform CDF, reproducibly', () => {
    const schedule = new FlowMatchSchedule({ timestepSampling: { type: 'uniform' } });
    const values = schedule.sampleTimesteps(20_000, new SeededRandom(3));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean(values)).toBeCloseTo(0.5, 2);
    expect(variance(values)).toBeCloseTo(1 / 12, 2);
    expect(kolmogorovSmirnov(values, (value) => value)).toBeLessThan(0.015);
    expect(Array.from(schedule.sampleTimesteps(8, new SeededRandom(3)))).toEqual(Array.from(values.slice(0, 8)));
  });

  it('samples logit-normal timesteps: logit(t) ~ N(mean, std²) (BAGEL: sigmoid(N(0, 1)))', () => {
    for (const [mean0, std] of [
      [0, 1],
      [0.5, 0.8],
    ] as const) {
      const schedule = new FlowMatchSchedule({ timestepSampling: { type: 'logit-normal', mean: mean0, standardDeviation: std } });
      const values = schedule.sampleTimesteps(20_000, new SeededRandom(4));
      const logits = Array.from(values, (value) => Math.log(value / (1 - value)));
      expect(mean(logits)).toBeCloseTo(mean0, 1);
      expect(Math.sqrt(variance(logits))).toBeCloseTo(std, 1);
      expect(kolmogorovSmirnov(logits, (value) => normalCdf((value - mean0) / std))).toBeLessThan(0.015);
    }
    // Defaults are BAGEL's: mean 0, std 1, so the median is 1/2 and the distribution is symmetric about it.
    const values = new FlowMatchSchedule({ timestepSampling: { type: 'logit-normal' } }).sampleTimesteps(20_000, new SeededRandom(5));
    expect(mean(values)).toBeCloseTo(0.5, 2);
  });

  it('shifts timesteps with t′ = s·t / (1 + (s − 1)·t): the CDF of shifted uniform draws is the inverse map', () => {
    expect(shiftTimestep(0.5, 3)).toBeCloseTo(0.75, 12);
    expect(shiftTimestep(0, 3)).toBe(0);
    expect(shiftTimestep(1, 3)).toBe(1);
    expect(shiftTimestep(0.37, 1)).toBe(0.37);
    const shift = 3;
    const values = new FlowMatchSchedule({ shift }).sampleTimesteps(20_000, new SeededRandom(6));
    // P(t′ ≤ s) = P(t ≤ s / (shift − (shift − 1)·s)) for t uniform.
    expect(kolmogorovSmirnov(values, (value) => value / (shift - (shift - 1) * value))).toBeLessThan(0.015);
    expect(mean(values)).toBeGreaterThan(0.6);
  });

  it('builds sampling grids from 1 to 0, evenly spaced then shifted, and rejects bad arguments', () => {
    expect(FlowMatchSchedule.samplingTimesteps(4)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const shifted = FlowMatchSchedule.samplingTimesteps(2, 3);
    expect(shifted[0]).toBe(1);
    expect(shifted[1]).toBeCloseTo(0.75, 12);
    expect(shifted[2]).toBe(0);
    expect(() => FlowMatchSchedule.samplingTimesteps(0)).toThrow(/steps/);
    expect(() => new FlowMatchSchedule({ shift: 0 })).toThrow(/shift/);
    expect(() => new FlowMatchSchedule({ timestepSampling: { type: 'cosine' } as never })).toThrow(/uniform/);
    expect(() => new FlowMatchSchedule({ timestepSampling: { type: 'logit-normal', standardDeviation: -1 } })).toThrow(/standard deviation/);
  });
});
