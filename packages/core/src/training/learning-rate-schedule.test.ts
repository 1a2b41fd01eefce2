import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@reca/runtime';
import { learningRateAt, validateLearningRateSchedule, warmupStepsFromRatio, type LearningRateSchedule } from './learning-rate-schedule.js';

describe('learningRateAt', () => {
  it('warms up linearly from lr/warmupSteps at step 0 to lr at step warmupSteps − 1, then stays constant', () => {
    const schedule: LearningRateSchedule = { type: 'constant', learningRate: 1e-4, warmupSteps: 4 };
    const rates = [0, 1, 2, 3, 4, 5, 1000].map((step) => learningRateAt(schedule, step));
    expect(rates[0]).toBeCloseTo(0.25e-4, 15);
    expect(rates[1]).toBeCloseTo(0.5e-4, 15);
    expect(rates[2]).toBeCloseTo(0.75e-4, 15);
    expect(rates.slice(3)).toEqual([1e-4, 1e-4, 1e-4, 1e-4]);
    expect(learningRateAt({ type: 'constant', learningRate: 3e-5, warmupSteps: 0 }, 0)).toBe(3e-5);
  });

  it('follows a half cosine from the peak to the minimum after warmup', () => {
    const schedule: LearningRateSchedule = { type: 'cosine', learningRate: 1e-3, warmupSteps: 10, totalSteps: 110, minimumLearningRate: 1e-4 };
    expect(learningRateAt(schedule, 0)).toBeCloseTo(1e-4, 15);
    expect(learningRateAt(schedule, 9)).toBeCloseTo(1e-3, 15);
    expect(learningRateAt(schedule, 10)).toBeCloseTo(1e-3, 15);
    // progress ½ → midway between peak and minimum; progress ¼ → min + (peak − min)·(1 + cos(π/4))/2.
    expect(learningRateAt(schedule, 60)).toBeCloseTo(5.5e-4, 15);
    expect(learningRateAt(schedule, 35)).toBeCloseTo(1e-4 + 9e-4 * (1 + Math.SQRT1_2) / 2, 15);
    expect(learningRateAt(schedule, 110)).toBeCloseTo(1e-4, 15);
    expect(learningRateAt(schedule, 5000)).toBeCloseTo(1e-4, 15);
    // Monotone non-increasing after warmup.
    for (let step = 10; step < 120; step++) {
      expect(learningRateAt(schedule, step + 1)).toBeLessThanOrEqual(learningRateAt(schedule, step));
    }
  });

  it('handles a cosine schedule that is all warmup', () => {
    const schedule: LearningRateSchedule = { type: 'cosine', learningRate: 1, warmupSteps: 5, totalSteps: 5, minimumLearningRate: 0 };
    expect(learningRateAt(schedule, 4)).toBe(1);
    expect(learningRateAt(schedule, 5)).toBe(0);
  });

  it('rejects invalid schedules and steps, naming the field', () => {
    expect(() => learningRateAt({ type: 'constant', learningRate: 1e-5, warmupSteps: 0 }, -1)).toThrow(/'step'/);
    expect(() => learningRateAt({ type: 'constant', learningRate: 1e-5, warmupSteps: 0 }, 1.5)).toThrow(InvalidArgumentError);
    expect(() => validateLearningRateSchedule({ type: 'constant', learningRate: -1, warmupSteps: 0 })).toThrow(/learningRate/);
    expect(() => validateLearningRateSchedule({ type: 'constant', learningRate: 1, warmupSteps: 0.5 })).toThrow(/warmupSteps/);
    expect(() =>
      validateLearningRateSchedule({ type: 'cosine', learningRate: 1, warmupSteps: 10, totalSteps: 5, minimumLearningRate: 0 }),
    ).toThrow(/totalSteps/);
    expect(() =>
      validateLearningRateSchedule({ type: 'cosine', learningRate: 1, warmupSteps: 0, totalSteps: 5, minimumLearningRate: 2 }),
    ).toThrow(/minimumLearningRate/);
    expect(() => validateLearningRateSchedule({ type: 'linear', learningRate: 1, warmupSteps: 0 } as unknown as LearningRateSchedule)).toThrow(
      /schedule\.type/,
    );
  });
});

describe('warmupStepsFromRatio', () => {
  it('rounds totalSteps · ratio up, as transformers does', () => {
    expect(warmupStepsFromRatio(5000, 0.01)).toBe(50);
    expect(warmupStepsFromRatio(150, 0.01)).toBe(2);
    expect(warmupStepsFromRatio(100, 0.07)).toBe(7);
    expect(warmupStepsFromRatio(1000, 0)).toBe(0);
    expect(() => warmupStepsFromRatio(100, 1.5)).toThrow(/warmupRatio/);
    expect(() => warmupStepsFromRatio(-1, 0.1)).toThrow(/totalSteps/);
  });
});
