import { InvalidArgumentError } from '@reca/runtime';

/** Sizes of the masked-autoregressive model (`tiny` for CPU tests, `small` for ShapesWorld recipes, `base` ≈ MAR-B). */
export type MaskedAutoregressivePresetName = 'tiny' | 'small' | 'base';

/** Every preset name, smallest first. */
export const maskedAutoregressivePresetNames: readonly MaskedAutoregressivePresetName[] = ['tiny', 'small', 'base'];

/** Throws InvalidArgumentError unless `name` is a preset name. */
export function assertMaskedAutoregressivePresetName(name: string): asserts name is MaskedAutoregressivePresetName {
  if (!(maskedAutoregressivePresetNames as readonly string[]).includes(name)) {
    throw new InvalidArgumentError({ argument: 'preset', message: `must be one of ${maskedAutoregressivePresetNames.join(', ')}, got '${name}'` });
  }
}
