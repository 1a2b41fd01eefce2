import { WordLevelTokenizer } from '@reca/core';
import { InvalidArgumentError } from '@reca/runtime';
import { createDefaultTokenizer } from './default-tokenizer.js';
import { type DiffusionPresetName, type DiffusionUmmConfigOverrides, resolveDiffusionUmmConfig, validateDiffusionUmmConfig, type DiffusionUmmConfig } from './diffusion-umm-config.js';
import { DiffusionUmm, type DiffusionUmmSavedConfig } from './diffusion-umm.js';

/** Options of {@link createDiffusionUmm}. */
export interface CreateDiffusionUmmOptions {
  /** Size preset. @default 'tiny' */
  preset?: DiffusionPresetName;
  /** Fields replacing the preset's (e.g. `diffusionReferenceOverrides.bagel`, or `{ imageSize: 16 }`). */
  overrides?: DiffusionUmmConfigOverrides;
  /** @default a word-level tokenizer of the instruction pool, the null prompt and ShapesWorld's words */
  tokenizer?: WordLevelTokenizer;
  /** Seed of the initial weights. @default 0 */
  seed?: number;
}

/**
 * Creates a diffusion-family unified model (DiT + flow matching, OpenUni/BAGEL style) from a preset.
 *
 * @example
 * const model = createDiffusionUmm({ preset: 'tiny', seed: 0 });
 * const bagelLike = createDiffusionUmm({ preset: 'small', overrides: diffusionReferenceOverrides.bagel });
 */
export function createDiffusionUmm(options: CreateDiffusionUmmOptions = {}): DiffusionUmm {
  const { preset = 'tiny', overrides, seed = 0 } = options;
  const config = resolveDiffusionUmmConfig(preset, overrides);
  const tokenizer = options.tokenizer ?? createDefaultTokenizer(config.understanding.conditionEncoder.nullPrompt);
  return new DiffusionUmm({ config, tokenizer, seed });
}

/**
 * Recreates a model (fresh weights) from the JSON `getConfig()` returned — what a checkpoint's metadata holds.
 *
 * @param saved - the saved configuration, with its tokenizer and seed.
 * @throws InvalidArgumentError when it is not a diffusion model configuration.
 */
export function createDiffusionUmmFromConfig(saved: Record<string, unknown>): DiffusionUmm {
  const { tokenizer, seed, ...config } = saved as unknown as DiffusionUmmSavedConfig;
  if (tokenizer === undefined) {
    throw new InvalidArgumentError({ argument: 'config.tokenizer', message: 'is missing (a diffusion model config stores its WordLevelTokenizer JSON)' });
  }
  if (typeof seed !== 'number') throw new InvalidArgumentError({ argument: 'config.seed', message: `must be a number, got ${JSON.stringify(seed)}` });
  validateDiffusionUmmConfig(config as DiffusionUmmConfig);
  return new DiffusionUmm({ config: config as DiffusionUmmConfig, tokenizer: WordLevelTokenizer.fromJSON(tokenizer), seed });
}
