import { InvalidArgumentError } from '@reca/runtime';

/**
 * The timestep shift of SD3 / BAGEL (`timestep_shift`) and SANA's flow shift:
 * `t' = shift · t / (1 + (shift − 1) · t)`. It maps [0, 1] onto itself monotonically with 0 → 0 and 1 → 1; `shift > 1`
 * moves timesteps towards 1 (more noise), which larger images need; `shift = 1` is the identity.
 *
 * @param timestep - t in [0, 1].
 * @param shift - positive shift factor.
 * @returns the shifted timestep in [0, 1].
 */
export function shiftTimestep(timestep: number, shift: number): number {
  assertShift(shift, 'shift');
  if (shift === 1) return timestep;
  return (shift * timestep) / (1 + (shift - 1) * timestep);
}

/**
 * Throws unless `shift` is a positive finite number.
 *
 * @param shift - the value to check.
 * @param argument - the argument's name for the error message.
 */
export function assertShift(shift: number, argument: string): void {
  if (!(shift > 0) || !Number.isFinite(shift)) {
    throw new InvalidArgumentError({ argument, message: `the timestep shift must be a positive finite number, got ${shift}` });
  }
}
