import { InvalidArgumentError, type SeededRandom } from '@reca/runtime';

/**
 * How training timesteps t ∈ [0, 1] are drawn (before the shift):
 * - `'uniform'`: t ~ U[0, 1) — OpenUni (diffusers `weighting_scheme="none"`: uniform over the scheduler's sigmas).
 * - `'logit-normal'`: t = sigmoid(u), u ~ N(mean, standardDeviation²) — BAGEL (`torch.sigmoid(torch.randn(...))`,
 *   mean 0, std 1), SD3's logit-normal sampling.
 */
export type TimestepSampling =
  | { readonly type: 'uniform' }
  | {
      readonly type: 'logit-normal';
      /** Mean of the normal before the sigmoid. @default 0 */
      readonly mean?: number;
      /** Standard deviation of the normal before the sigmoid. @default 1 */
      readonly standardDeviation?: number;
    };

/**
 * Draws `count` timesteps in [0, 1] from `sampling`, one draw per timestep from `random`.
 *
 * @param sampling - the distribution.
 * @param count - number of timesteps (the batch size).
 * @param random - the stream every draw comes from.
 * @returns float32 values in [0, 1] (not shifted).
 */
export function drawTimesteps(sampling: TimestepSampling, count: number, random: SeededRandom): Float32Array {
  assertTimestepSampling(sampling, 'sampling');
  const values = new Float32Array(count);
  if (sampling.type === 'uniform') {
    for (let index = 0; index < count; index++) values[index] = random.uniform();
    return values;
  }
  const mean = sampling.mean ?? 0;
  const standardDeviation = sampling.standardDeviation ?? 1;
  for (let index = 0; index < count; index++) values[index] = 1 / (1 + Math.exp(-random.normal(mean, standardDeviation)));
  return values;
}

/**
 * Throws unless `sampling` is a known timestep distribution with valid parameters.
 *
 * @param sampling - the value to check.
 * @param argument - the argument's name for the error message.
 */
export function assertTimestepSampling(sampling: TimestepSampling, argument: string): void {
  const type = (sampling as { type?: unknown } | undefined)?.type;
  if (type === 'uniform') return;
  if (type !== 'logit-normal') {
    throw new InvalidArgumentError({ argument, message: `the timestep sampling must be 'uniform' or 'logit-normal', got '${String(type)}'` });
  }
  const { mean = 0, standardDeviation = 1 } = sampling as { mean?: number; standardDeviation?: number };
  if (!Number.isFinite(mean) || !(standardDeviation > 0) || !Number.isFinite(standardDeviation)) {
    throw new InvalidArgumentError({
      argument,
      message: `logit-normal needs a finite mean and a positive finite standard deviation, got mean ${mean}, std ${standardDeviation}`,
    });
  }
}
