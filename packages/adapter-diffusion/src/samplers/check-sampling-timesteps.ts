import { InvalidArgumentError } from '@reca/runtime';

/**
 * Throws unless `timesteps` has at least two finite entries in [0, 1], strictly decreasing.
 *
 * @param timesteps - an ODE time grid.
 * @param context - the caller, for the error message.
 */
export function checkSamplingTimesteps(timesteps: readonly number[], context: string): void {
  const valid =
    timesteps.length >= 2 &&
    timesteps.every((value, index) => Number.isFinite(value) && value >= 0 && value <= 1 && (index === 0 || value < (timesteps[index - 1] as number)));
  if (!valid) {
    throw new InvalidArgumentError({
      argument: 'timesteps',
      message: `${context} needs at least two timesteps in [0, 1], strictly decreasing; got [${timesteps.join(', ')}]`,
    });
  }
}
