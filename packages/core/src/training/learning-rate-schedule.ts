import { InvalidArgumentError } from '@reca/runtime';

/**
 * A learning-rate schedule: linear warmup from 0, then either constant or a half cosine down to a minimum.
 *
 * Conventions (shared by both kinds):
 * - `step` counts optimiser updates already applied, starting at 0: `learningRateAt(schedule, step)` is the rate for
 *   the update that turns `step` completed updates into `step + 1`.
 * - Warmup never spends an update at rate 0: during warmup (`step < warmupSteps`) the rate is
 *   `learningRate · (step + 1) / warmupSteps`, so step 0 uses `learningRate / warmupSteps` and step
 *   `warmupSteps − 1` the full rate. `warmupSteps: 0` means no warmup.
 * - Cosine: for `step ≥ warmupSteps`, with `progress = (step − warmupSteps) / (totalSteps − warmupSteps)` clamped to
 *   [0, 1], the rate is `minimumLearningRate + (learningRate − minimumLearningRate) · ½ (1 + cos(π · progress))`. It is
 *   the full rate at `step = warmupSteps` and reaches the minimum at `step = totalSteps` (the last update of a
 *   `totalSteps`-update run, step `totalSteps − 1`, is just above the minimum); later steps stay at the minimum.
 */
export type LearningRateSchedule =
  | {
      type: 'constant';
      /** Rate after warmup. */
      learningRate: number;
      /** Updates of linear warmup (integer ≥ 0). */
      warmupSteps: number;
    }
  | {
      type: 'cosine';
      /** Peak rate, reached at the end of warmup. */
      learningRate: number;
      /** Updates of linear warmup (integer ≥ 0). */
      warmupSteps: number;
      /** Total updates of the run, warmup included (integer ≥ warmupSteps). */
      totalSteps: number;
      /** Rate at the end of the cosine, in [0, learningRate]. */
      minimumLearningRate: number;
    };

/**
 * The learning rate for the update at `step` (0-based count of updates already applied); see
 * {@link LearningRateSchedule} for the conventions.
 *
 * @throws InvalidArgumentError for an invalid schedule or a step that is not an integer ≥ 0.
 */
export function learningRateAt(schedule: LearningRateSchedule, step: number): number {
  validateLearningRateSchedule(schedule);
  if (!Number.isInteger(step) || step < 0) {
    throw new InvalidArgumentError({ argument: 'step', message: `must be an integer ≥ 0, got ${step}` });
  }
  const { learningRate, warmupSteps } = schedule;
  if (step < warmupSteps) return (learningRate * (step + 1)) / warmupSteps;
  if (schedule.type === 'constant') return learningRate;
  const { totalSteps, minimumLearningRate } = schedule;
  const decaySteps = totalSteps - warmupSteps;
  const progress = decaySteps === 0 ? 1 : Math.min(1, (step - warmupSteps) / decaySteps);
  return minimumLearningRate + (learningRate - minimumLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * Warmup length from a fraction of the run, as `transformers`' `warmup_ratio` does: `ceil(totalSteps · warmupRatio)`.
 * Harmon's RecA recipe uses `warmupRatio` 0.01.
 *
 * @param totalSteps - total updates of the run (integer ≥ 0).
 * @param warmupRatio - fraction in [0, 1].
 */
export function warmupStepsFromRatio(totalSteps: number, warmupRatio: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 0) {
    throw new InvalidArgumentError({ argument: 'totalSteps', message: `must be an integer ≥ 0, got ${totalSteps}` });
  }
  if (!(Number.isFinite(warmupRatio) && warmupRatio >= 0 && warmupRatio <= 1)) {
    throw new InvalidArgumentError({ argument: 'warmupRatio', message: `must be in [0, 1], got ${warmupRatio}` });
  }
  // Guard against 0.07 · 100 = 7.000000000000001 rounding up to 8.
  return Math.ceil(Number((totalSteps * warmupRatio).toPrecision(12)));
}

/**
 * Checks a schedule's fields and throws {@link InvalidArgumentError} naming the first bad one. Called by
 * {@link learningRateAt}; call it once at start-up to fail before training begins.
 */
export function validateLearningRateSchedule(schedule: LearningRateSchedule): void {
  const { learningRate, warmupSteps } = schedule;
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) {
    throw new InvalidArgumentError({ argument: 'schedule.learningRate', message: `must be a finite number ≥ 0, got ${learningRate}` });
  }
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new InvalidArgumentError({ argument: 'schedule.warmupSteps', message: `must be an integer ≥ 0, got ${warmupSteps}` });
  }
  if (schedule.type === 'constant') return;
  if (schedule.type !== 'cosine') {
    throw new InvalidArgumentError({
      argument: 'schedule.type',
      message: `must be 'constant' or 'cosine', got '${String((schedule as { type: unknown }).type)}'`,
    });
  }
  const { totalSteps, minimumLearningRate } = schedule;
  if (!Number.isInteger(totalSteps) || totalSteps < warmupSteps) {
    throw new InvalidArgumentError({
      argument: 'schedule.totalSteps',
      message: `must be an integer ≥ warmupSteps (${warmupSteps}), got ${totalSteps}`,
    });
  }
  if (!(Number.isFinite(minimumLearningRate) && minimumLearningRate >= 0 && minimumLearningRate <= learningRate)) {
    throw new InvalidArgumentError({
      argument: 'schedule.minimumLearningRate',
      message: `must be in [0, learningRate = ${learningRate}], got ${minimumLearningRate}`,
    });
  }
}
