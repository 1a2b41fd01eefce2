import { type UnifiedModelV1RecaDefaults } from '@reca/core';
import { InvalidArgumentError } from '@reca/runtime';
import { assertPresetName, resolveUnderstandingStackConfig, type UnderstandingPresetName, type UnderstandingStackConfig, type UnderstandingStackConfigOverrides } from '@reca/understanding';
import { validateLlamaGenTransformerConfig, type GenerationMode } from './generator/llamagen-transformer-config.js';
import { validateTokenSamplingOptions } from './sampling/token-sampling.js';
import { validateVqTokenizerConfig, vqGridSize, vqTokenizerPresets, type VqTokenizerConfig } from './vq/vq-tokenizer-config.js';

/** Size presets of the autoregressive UMM. */
export type AutoregressivePresetName = UnderstandingPresetName;

/** The generator part of the configuration (what is not derived from the VQ tokenizer and the understanding stack). */
export interface AutoregressiveGeneratorConfig {
  /** Transformer width (LlamaGen `dim`). */
  dim: number;
  /** Blocks (`n_layer`). */
  numLayers: number;
  /** Heads (`n_head`); `dim / numHeads` a multiple of 4. */
  numHeads: number;
  /** SwiGLU width rounding (`multiple_of`). */
  multipleOf: number;
  /** @default undefined */
  ffnDimMultiplier?: number;
  /** @default 1e-5 */
  normEpsilon: number;
  /** @default 10000 */
  ropeBase: number;
  /** @default 0.02 */
  initializerRange: number;
  /** Next-token (LlamaGen/Janus) or masked-token (MaskGIT/Show-o). @default 'next-token' */
  mode: GenerationMode;
}

/** Sampling defaults of `doSample` (each can be overridden per call). */
export interface AutoregressiveSamplingDefaults {
  /** @default 1 */
  temperature: number;
  /** 0 keeps all tokens. @default 0 */
  topK: number;
  /** 1 keeps all tokens. @default 1 */
  topP: number;
  /** MaskGIT decoding iterations (masked mode). @default 8 */
  maskedSteps: number;
  /** MaskGIT's Gumbel temperature for choosing which tokens stay masked. @default 4.5 */
  choiceTemperature: number;
  /** Next-token mode: decode with the KV cache. @default true */
  useKeyValueCache: boolean;
}

/** The complete, JSON-serialisable configuration of an `AutoregressiveUmm` (without the text tokenizer). */
export interface AutoregressiveUmmConfig {
  /** The preset it was built from (documentation; every field below is explicit). */
  preset: AutoregressivePresetName;
  /** Generator resolution in pixels (= `vq.imageSize`). */
  imageSize: number;
  /** The VQ image tokenizer (frozen inside the model). */
  vq: VqTokenizerConfig;
  generator: AutoregressiveGeneratorConfig;
  /** The shared understanding and text stack (`@reca/understanding`). */
  understanding: UnderstandingStackConfig;
  sampling: AutoregressiveSamplingDefaults;
  /**
   * The condition dropout RecA uses by default for this model (`recaDefaults.conditionDropout`). Show-o's RecA
   * reconstruction has none; LlamaGen's text-to-image training drops the caption with p = 0.1
   * (`{ type: 'drop-all', probability: 0.1 }` or `'null-prompt'` to keep the image).
   * @default { type: 'none' }
   */
  recaConditionDropout: NonNullable<UnifiedModelV1RecaDefaults['conditionDropout']>;
}

/** Overrides of a preset; nested parts are merged field by field. */
export interface AutoregressiveUmmOverrides {
  /** Generator (and VQ) resolution; the understanding side follows for `tiny`/`small` (native = it, minimum = half). */
  imageSize?: number;
  vq?: Partial<VqTokenizerConfig>;
  generator?: Partial<AutoregressiveGeneratorConfig>;
  understanding?: UnderstandingStackConfigOverrides;
  sampling?: Partial<AutoregressiveSamplingDefaults>;
  recaConditionDropout?: AutoregressiveUmmConfig['recaConditionDropout'];
}

const generatorPresets: Readonly<Record<AutoregressivePresetName, AutoregressiveGeneratorConfig>> = {
  tiny: { dim: 32, numLayers: 2, numHeads: 2, multipleOf: 16, normEpsilon: 1e-5, ropeBase: 10000, initializerRange: 0.02, mode: 'next-token' },
  small: { dim: 256, numLayers: 6, numHeads: 8, multipleOf: 64, normEpsilon: 1e-5, ropeBase: 10000, initializerRange: 0.02, mode: 'next-token' },
  // LlamaGen GPT-B: dim 768, 12 layers, 12 heads.
  base: { dim: 768, numLayers: 12, numHeads: 12, multipleOf: 256, normEpsilon: 1e-5, ropeBase: 10000, initializerRange: 0.02, mode: 'next-token' },
};

const defaultSampling: AutoregressiveSamplingDefaults = { temperature: 1, topK: 0, topP: 1, maskedSteps: 8, choiceTemperature: 4.5, useKeyValueCache: true };

/**
 * A complete configuration from a preset and overrides.
 *
 * Presets:
 * - `tiny` (CPU tests): 32 px, VQ 8×8 tokens × 256 codes, generator dim 32 × 2 layers, understanding stack `tiny` at
 *   32 px (minimum 16 px).
 * - `small` (ShapesWorld recipes): 32 px, VQ 8×8 × 1024 codes, generator dim 256 × 6 layers × 8 heads (~5 M), stack
 *   `small`.
 * - `base`: LlamaGen GPT-B (768 × 12 × 12) on LlamaGen's VQ-16 at 256 px (16×16 tokens × 16384 codes), stack `base`
 *   (ViT-B/16 at 224 px, minimum 112 px).
 *
 * @throws InvalidArgumentError naming the first bad field.
 */
export function resolveAutoregressiveUmmConfig(preset: AutoregressivePresetName = 'tiny', overrides: AutoregressiveUmmOverrides = {}): AutoregressiveUmmConfig {
  assertPresetName(preset);
  const imageSize = overrides.imageSize ?? overrides.vq?.imageSize ?? vqTokenizerPresets[preset].imageSize;
  const vq: VqTokenizerConfig = { ...vqTokenizerPresets[preset], ...definedFields(overrides.vq ?? {}), imageSize };
  const generator: AutoregressiveGeneratorConfig = { ...generatorPresets[preset], ...definedFields(overrides.generator ?? {}) };
  const understandingOverrides: UnderstandingStackConfigOverrides =
    preset === 'base'
      ? { ...overrides.understanding }
      : {
          minimumImageSize: imageSize / 2,
          ...overrides.understanding,
          vision: { imageSize, ...overrides.understanding?.vision },
        };
  const config: AutoregressiveUmmConfig = {
    preset,
    imageSize,
    vq: { ...vq, channelMultipliers: [...vq.channelMultipliers] },
    generator,
    understanding: resolveUnderstandingStackConfig(preset, understandingOverrides),
    sampling: { ...defaultSampling, ...definedFields(overrides.sampling ?? {}) },
    recaConditionDropout: overrides.recaConditionDropout ?? { type: 'none' },
  };
  validateAutoregressiveUmmConfig(config);
  return config;
}

/**
 * Checks a complete configuration (also one read back from a checkpoint).
 * @throws InvalidArgumentError naming the field.
 */
export function validateAutoregressiveUmmConfig(config: AutoregressiveUmmConfig): void {
  validateVqTokenizerConfig(config.vq);
  if (config.vq.imageSize !== config.imageSize) {
    throw new InvalidArgumentError({ argument: 'vq.imageSize', message: `must equal imageSize ${config.imageSize}, got ${config.vq.imageSize}` });
  }
  validateLlamaGenTransformerConfig({ ...config.generator, codebookSize: config.vq.codebookSize, gridSize: vqGridSize(config.vq), conditionWidth: config.understanding.conditionEncoder.width });
  validateTokenSamplingOptions(config.sampling);
  if (!Number.isInteger(config.sampling.maskedSteps) || config.sampling.maskedSteps <= 0) {
    throw new InvalidArgumentError({ argument: 'sampling.maskedSteps', message: `must be a positive integer, got ${config.sampling.maskedSteps}` });
  }
  const dropout = config.recaConditionDropout;
  if (dropout.type !== 'none' && !(dropout.probability >= 0 && dropout.probability <= 1)) {
    throw new InvalidArgumentError({ argument: 'recaConditionDropout.probability', message: `must lie in [0, 1], got ${dropout.probability}` });
  }
}

function definedFields<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
