import { reconstructionInstructions, type TextTokenizer, WordLevelTokenizer } from '@reca/core';
import { MaskedAutoregressiveUmm } from './masked-autoregressive-umm.js';
import { type MaskedAutoregressiveUmmConfigOverrides, resolveMaskedAutoregressiveUmmConfig } from './masked-autoregressive-umm-config.js';
import type { MaskedAutoregressivePresetName } from './preset-name.js';

/** Options of {@link createMaskedAutoregressiveUmm}. */
export interface CreateMaskedAutoregressiveUmmOptions {
  /** @default 'tiny' */
  preset?: MaskedAutoregressivePresetName;
  /** Sections replacing the preset's, field by field. */
  overrides?: MaskedAutoregressiveUmmConfigOverrides;
  /**
   * The tokenizer of prompts, instructions and captions.
   * @default a word-level tokenizer over RecA's instruction pool, the null prompt and `extraWords`
   */
  tokenizer?: TextTokenizer;
  /** Words the default tokenizer should know besides the instruction pool (prompts, captions). @default ShapesWorld's words */
  extraWords?: readonly string[];
  /** Seed of the initial weights. @default 0 */
  seed?: number;
}

/** ShapesWorld's vocabulary (DESIGN.md §3), known to the default tokenizer. */
export const shapesWorldWords: readonly string[] = [
  'a an one two three four and of the left right above below image generate objects object shape shapes',
  'red green blue yellow magenta cyan circle circles square squares triangle triangles',
];

/**
 * Builds a masked-autoregressive (Harmon/MAR) unified model.
 *
 * @example
 * const model = createMaskedAutoregressiveUmm({ preset: 'tiny', overrides: { imageSize: 16 }, seed: 0 });
 * const state = createRecaTrainingState({ model, seed: 0 }); // Harmon's defaults: null-prompt dropout 0.1, I2T 1:1
 */
export function createMaskedAutoregressiveUmm(options: CreateMaskedAutoregressiveUmmOptions = {}): MaskedAutoregressiveUmm {
  const { preset = 'tiny', overrides, seed = 0, extraWords = shapesWorldWords } = options;
  const config = resolveMaskedAutoregressiveUmmConfig(preset, overrides);
  const tokenizer =
    options.tokenizer ??
    WordLevelTokenizer.fromTexts([...reconstructionInstructions, config.understandingStack.conditionEncoder.nullPrompt ?? 'Generate an image.', ...extraWords]);
  return new MaskedAutoregressiveUmm({ config, tokenizer, seed, preset });
}
