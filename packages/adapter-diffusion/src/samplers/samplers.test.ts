import { tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlowMatchSchedule } from '../schedules/flow-match-schedule.js';
import { classifierFreeGuidance } from './classifier-free-guidance.js';
import { createFlowSampler } from './create-flow-sampler.js';
import { EulerSampler } from './euler-sampler.js';
import type { VelocityFunction } from './flow-sampler.js';
import { HeunSampler } from './heun-sampler.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/**
 * A smooth toy field with a closed-form flow: dx/dt = (1 + t)·x + sin(t). Integrating from t = 1 to 0 with the
 * integrating factor μ(t) = exp(−(t + t²/2)): x(0) = x(1)·μ(1) − ∫₀¹ μ(s) sin(s) ds (the integral by Simpson's rule).
 */
const toyVelocity: VelocityFunction = (sample, time) => tf.tidy(() => tf.add(tf.mul(sample, 1 + time), Math.sin(time)));
function exactAtZero(start: number): number {
  const mu = (s: number) => Math.exp(-(s + (s * s) / 2));
  const intervals = 10_000;
  let integral = 0;
  for (let index = 0; index <= intervals; index++) {
    const s = index / intervals;
    const weight = index === 0 || index === intervals ? 1 : index % 2 === 1 ? 4 : 2;
    integral += weight * mu(s) * Math.sin(s);
  }
  integral /= 3 * intervals;
  return start * mu(1) - integral;
}

function run(sampler: EulerSampler | HeunSampler, steps: number, starts: number[]): number[] {
  const initial = tf.tensor1d(starts);
  const result = sampler.sample({ initial, velocity: toyVelocity, timesteps: FlowMatchSchedule.samplingTimesteps(steps) });
  const values = Array.from(result.dataSync());
  tf.dispose([initial, result]);
  return values;
}

describe('Euler and Heun flow samplers', () => {
  const starts = [1.5, -0.7, 0.2];
  const exact = starts.map(exactAtZero);

  it('agree on a smooth toy field: Euler with 2000 steps and Heun with 20 steps both reach the exact flow', () => {
    const euler = run(new EulerSampler(), 2000, starts);
    const heun = run(new HeunSampler(), 20, starts);
    euler.forEach((value, index) => {
      expect(Math.abs(value - (heun[index] as number))).toBeLessThan(2e-3);
      expect(Math.abs(value - (exact[index] as number))).toBeLessThan(2e-3);
      expect(Math.abs((heun[index] as number) - (exact[index] as number))).toBeLessThan(2e-3);
    });
  });

  it('converge at their orders: halving the step halves Euler’s error and quarters Heun’s', () => {
    const error = (sampler: EulerSampler | HeunSampler, steps: number) =>
      Math.max(...run(sampler, steps, starts).map((value, index) => Math.abs(value - (exact[index] as number))));
    const eulerRatio = error(new EulerSampler(), 40) / error(new EulerSampler(), 80);
    expect(eulerRatio).toBeGreaterThan(1.8);
    expect(eulerRatio).toBeLessThan(2.2);
    // Heun's last step is Euler at t = 0 (EDM); on a grid with the final interval h the order stays close to 2.
    const heunRatio = error(new HeunSampler(), 40) / error(new HeunSampler(), 80);
    expect(heunRatio).toBeGreaterThan(2.5);
    expect(error(new HeunSampler(), 40)).toBeLessThan(error(new EulerSampler(), 40) / 5);
  });

  it('recover the data point exactly from the rectified-flow velocity of a point mass (straight paths), in one step', () => {
    const data = tf.tensor1d([0.3, -1.2]);
    // For x0 = c, x_t = (1 − t)c + tε, so v(x, t) = (x − c)/t is constant along each path.
    const velocity: VelocityFunction = (sample, time) => tf.tidy(() => tf.div(tf.sub(sample, data), time));
    const initial = tf.tensor1d([2, -0.5]);
    for (const sampler of [new EulerSampler(), new HeunSampler()]) {
      for (const steps of [1, 5]) {
        const result = sampler.sample({ initial, velocity, timesteps: FlowMatchSchedule.samplingTimesteps(steps) });
        const values = result.dataSync();
        expect(values[0]).toBeCloseTo(0.3, 5);
        expect(values[1]).toBeCloseTo(-1.2, 5);
        result.dispose();
      }
    }
    tf.dispose([data, initial]);
  });

  it('leak no tensors, leave the initial state alive and count their evaluations', () => {
    const initial = tf.tensor1d([1, 2]);
    let calls = 0;
    const counting: VelocityFunction = (sample, time) => {
      calls += 1;
      return toyVelocity(sample, time);
    };
    for (const name of ['euler', 'heun'] as const) {
      const sampler = createFlowSampler(name);
      calls = 0;
      const before = tf.memory().numTensors;
      const result = sampler.sample({ initial, velocity: counting, timesteps: FlowMatchSchedule.samplingTimesteps(6) });
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(calls).toBe(sampler.evaluations(6));
      result.dispose();
      expect(initial.isDisposed).toBe(false);
    }
    expect(() => new EulerSampler().sample({ initial, velocity: counting, timesteps: [0, 1] })).toThrow(/decreasing/);
    expect(() => createFlowSampler('ddim' as never)).toThrow(/euler/);
    initial.dispose();
  });

  it('guides as v_u + s·(v_c − v_u)', () => {
    const conditional = tf.tensor1d([1, 2]);
    const unconditional = tf.tensor1d([0.5, -1]);
    expect(Array.from(classifierFreeGuidance(conditional, unconditional, 3).dataSync())).toEqual([2, 8]);
    expect(Array.from(classifierFreeGuidance(conditional, unconditional, 1).dataSync())).toEqual([1, 2]);
    tf.dispose([conditional, unconditional]);
  });
});
