import { InvalidArgumentError } from '@reca/runtime';

/**
 * Size presets shared by every module of this package:
 * - `'tiny'`: tests on the CPU (a few thousand to tens of thousands of parameters).
 * - `'small'`: ShapesWorld recipes (32 px images, about a million parameters per part).
 * - `'base'`: the reference sizes (ViT-B/16 at 224 px; a 768-wide text transformer).
 */
export type UnderstandingPresetName = 'tiny' | 'small' | 'base';

/** The preset names, in size order. */
export const understandingPresetNames: readonly UnderstandingPresetName[] = ['tiny', 'small', 'base'];

/**
 * Throws {@link InvalidArgumentError} unless `preset` is one of {@link understandingPresetNames}.
 *
 * @param preset - the value to check.
 * @param argument - the argument's name, for the message.
 */
export function assertPresetName(preset: string, argument = 'preset'): asserts preset is UnderstandingPresetName {
  if (!(understandingPresetNames as readonly string[]).includes(preset)) {
    throw new InvalidArgumentError({ argument, message: `must be one of ${understandingPresetNames.join(', ')}, got '${preset}'` });
  }
}
