import { resolveUnderstandingStackConfig, type UnderstandingStackConfig, type UnderstandingStackConfigOverrides } from '@reca/understanding';
import { InvalidArgumentError } from '@reca/runtime';
import { type KlAutoencoderConfig, klAutoencoderDownsampleFactor, validateKlAutoencoderConfig } from '../autoencoder/kl-autoencoder-config.js';
import type { DiffusionVarianceType } from '../diffusion/gaussian-diffusion.js';
import { assertMaskedAutoregressivePresetName, type MaskedAutoregressivePresetName } from './preset-name.js';

/**
 * What turns images into the generator's continuous tokens: a KL autoencoder (MAR/Harmon's KL-16, here trainable
 * from scratch with `trainKlAutoencoder` and frozen inside the model), or raw pixels cut into `patchSize` patches.
 */
export type ImageTokenizerConfig = { type: 'kl-autoencoder'; autoencoder: KlAutoencoderConfig } | { type: 'pixels' };

/**
 * Where the understanding embeddings come from:
 * - `'mar-encoder'` (Harmon): the MAR encoder run with nothing masked over the clean latents of the (bottlenecked)
 *   image, then `proj_in` — shared with generation; the stack's ViT is not used (a minimal placeholder is built),
 *   its caption decoder and condition encoder are.
 * - `'vit'`: the shared stack's separate ViT + projector (frozen by default, as in the decoupled UMMs).
 */
export type MaskedAutoregressiveUnderstanding = 'mar-encoder' | 'vit';

/** The MAR encoder/decoder sizes (MAR's constructor arguments). */
export interface MarGeneratorConfig {
  /** MAR `patch_size` over the latent grid (MAR: 1). A token holds `latentChannels · patchSize²` values. */
  patchSize: number;
  encoderWidth: number;
  encoderDepth: number;
  encoderNumHeads: number;
  decoderWidth: number;
  decoderDepth: number;
  decoderNumHeads: number;
  /** @default 4 (MAR) */
  mlpRatio: number;
  /** Buffer tokens (MAR/Harmon: 64). */
  bufferSize: number;
}

/** The diffusion loss head (MAR's `DiffLoss`). */
export interface DiffusionHeadConfig {
  /** `diffloss_w`. */
  width: number;
  /** `diffloss_d`. */
  depth: number;
  /** Training diffusion steps. @default 1000 */
  numTimesteps: number;
  /** @default 'learned-range' (MAR/Harmon learn σ: loss = ε-MSE + VLB) */
  varianceType: DiffusionVarianceType;
  /** Each token repeated this many times with independent timestep and noise (`diffusion_batch_mul`). @default 4 */
  batchMultiplier: number;
}

/** The per-batch masking ratio: normal(loc, scale) truncated to [minimum, maximum] (MAR: [0.7, 1], loc 1, scale 0.25). */
export interface MaskRatioConfig {
  /** @default 0.7 */
  minimum: number;
  /** @default 1 */
  maximum: number;
  /** @default 1 */
  loc: number;
  /** @default 0.25 */
  scale: number;
}

/** Harmon's LLM role on the generation path: layers joining the condition and the MAR encoder tokens. */
export interface ConditionFusionSizes {
  depth: number;
  numHeads: number;
  intermediateSize: number;
}

/** Sampling defaults. */
export interface MarSamplingConfig {
  /** MAR decoding iterations (the contract's `steps`; Harmon: 64). */
  iterations: number;
  /** Sampler of the diffusion head. @default 'ddpm' (MAR) */
  sampler: 'ddpm' | 'ddim';
  /** Diffusion steps per token (MAR's `num_sampling_steps`: 100). */
  diffusionSteps: number;
  /** DDIM's η. @default 0 */
  ddimEta: number;
  /** Guidance over the iterations: MAR's `'linear'` (Muse: 1 + (s − 1)·unmasked/L) or `'constant'`. @default 'linear' */
  guidanceSchedule: 'linear' | 'constant';
  /** @default 1 */
  temperature: number;
}

/** The complete, JSON-serialisable configuration of a `MaskedAutoregressiveUmm`. */
export interface MaskedAutoregressiveUmmConfig {
  /** The generator's native resolution (pixels, square). ShapesWorld: 32. */
  imageSize: number;
  imageTokenizer: ImageTokenizerConfig;
  generator: MarGeneratorConfig;
  diffusionHead: DiffusionHeadConfig;
  maskRatio: MaskRatioConfig;
  fusion: ConditionFusionSizes;
  sampling: MarSamplingConfig;
  /** @default 'mar-encoder' */
  understanding: MaskedAutoregressiveUnderstanding;
  /**
   * With `'mar-encoder'`: the resolution RecA's bottleneck resizes the condition image to; `doEncodeUnderstanding`
   * resizes it back to `imageSize` (bilinear) before the autoencoder. Ignored with `'vit'` (the stack's applies).
   * @default imageSize / 2
   */
  understandingMinimumImageSize: number;
  /** The shared understanding/text stack (`@reca/understanding`). Mode default: `'shared'` with `'mar-encoder'`, `'frozen'` with `'vit'`. */
  understandingStack: UnderstandingStackConfig;
}

/** Overrides of a preset, section by section (`understandingStack` takes the stack's own overrides). */
export interface MaskedAutoregressiveUmmConfigOverrides {
  imageSize?: number;
  imageTokenizer?: ImageTokenizerConfig | { type: 'kl-autoencoder'; autoencoder?: Partial<KlAutoencoderConfig> };
  generator?: Partial<MarGeneratorConfig>;
  diffusionHead?: Partial<DiffusionHeadConfig>;
  maskRatio?: Partial<MaskRatioConfig>;
  fusion?: Partial<ConditionFusionSizes>;
  sampling?: Partial<MarSamplingConfig>;
  understanding?: MaskedAutoregressiveUnderstanding;
  understandingMinimumImageSize?: number;
  understandingStack?: UnderstandingStackConfigOverrides;
}

type PresetBody = Omit<MaskedAutoregressiveUmmConfig, 'understandingStack' | 'understandingMinimumImageSize' | 'understanding'>;

const defaultMaskRatio: MaskRatioConfig = { minimum: 0.7, maximum: 1, loc: 1, scale: 0.25 };

/**
 * Presets (all `'mar-encoder'` understanding, `learned-range` DDPM head on a 1000-step cosine schedule, ×4 tokens):
 * - `tiny` (CPU tests): 32 px, KL autoencoder ×4 (8 channels, 4 latent channels) → 8×8 = 64 tokens (16 at 16 px),
 *   MAR width 32 (1 + 1 blocks, 4 buffers), head width 32 × 2 blocks, fusion 1 layer; 4 iterations × 10 DDPM steps.
 * - `small` (ShapesWorld): 32 px, autoencoder ×4 (32 channels, 8 latent) → 64 tokens, MAR width 128 (4 + 4 blocks,
 *   16 buffers), head 256 × 3, fusion 2 layers; 16 iterations × 50 steps.
 * - `base` (≈ MAR-B / Harmon-0.5B's generator): 256 px, KL-16 (ch 128, mult [1, 1, 2, 2, 4], 16 latent channels,
 *   scale 0.2325) → 256 tokens, MAR width 768 (12 + 12 blocks, 64 buffers), head 1024 × 6, fusion 4 layers; 64
 *   iterations × 100 steps.
 */
export const maskedAutoregressivePresets: Readonly<Record<MaskedAutoregressivePresetName, PresetBody>> = {
  tiny: {
    imageSize: 32,
    imageTokenizer: {
      type: 'kl-autoencoder',
      autoencoder: { baseChannels: 8, channelMultipliers: [1, 2, 2], numResBlocks: 1, latentChannels: 4, normGroups: 4, scalingFactor: 1 },
    },
    generator: { patchSize: 1, encoderWidth: 32, encoderDepth: 1, encoderNumHeads: 2, decoderWidth: 32, decoderDepth: 1, decoderNumHeads: 2, mlpRatio: 2, bufferSize: 4 },
    diffusionHead: { width: 32, depth: 2, numTimesteps: 1000, varianceType: 'learned-range', batchMultiplier: 4 },
    maskRatio: defaultMaskRatio,
    fusion: { depth: 1, numHeads: 2, intermediateSize: 32 },
    sampling: { iterations: 4, sampler: 'ddpm', diffusionSteps: 10, ddimEta: 0, guidanceSchedule: 'linear', temperature: 1 },
  },
  small: {
    imageSize: 32,
    imageTokenizer: {
      type: 'kl-autoencoder',
      autoencoder: { baseChannels: 32, channelMultipliers: [1, 2, 2], numResBlocks: 1, latentChannels: 8, normGroups: 8, scalingFactor: 1 },
    },
    generator: { patchSize: 1, encoderWidth: 128, encoderDepth: 4, encoderNumHeads: 4, decoderWidth: 128, decoderDepth: 4, decoderNumHeads: 4, mlpRatio: 4, bufferSize: 16 },
    diffusionHead: { width: 256, depth: 3, numTimesteps: 1000, varianceType: 'learned-range', batchMultiplier: 4 },
    maskRatio: defaultMaskRatio,
    fusion: { depth: 2, numHeads: 4, intermediateSize: 352 },
    sampling: { iterations: 16, sampler: 'ddpm', diffusionSteps: 50, ddimEta: 0, guidanceSchedule: 'linear', temperature: 1 },
  },
  base: {
    imageSize: 256,
    imageTokenizer: {
      type: 'kl-autoencoder',
      autoencoder: { baseChannels: 128, channelMultipliers: [1, 1, 2, 2, 4], numResBlocks: 2, latentChannels: 16, normGroups: 32, scalingFactor: 0.2325 },
    },
    generator: { patchSize: 1, encoderWidth: 768, encoderDepth: 12, encoderNumHeads: 12, decoderWidth: 768, decoderDepth: 12, decoderNumHeads: 12, mlpRatio: 4, bufferSize: 64 },
    diffusionHead: { width: 1024, depth: 6, numTimesteps: 1000, varianceType: 'learned-range', batchMultiplier: 4 },
    maskRatio: defaultMaskRatio,
    fusion: { depth: 4, numHeads: 12, intermediateSize: 2048 },
    sampling: { iterations: 64, sampler: 'ddpm', diffusionSteps: 100, ddimEta: 0, guidanceSchedule: 'linear', temperature: 1 },
  },
};

/** A minimal ViT for the stack when the MAR encoder provides understanding (the stack needs one; it is never run). */
const placeholderVision = { depth: 1, width: 8, numHeads: 1, mlpRatio: 1 } as const;

/**
 * A complete configuration from a preset and overrides.
 *
 * @param preset - `'tiny'`, `'small'` or `'base'`; the stack uses the same preset.
 * @param overrides - sections replaced field by field.
 */
export function resolveMaskedAutoregressiveUmmConfig(
  preset: MaskedAutoregressivePresetName,
  overrides: MaskedAutoregressiveUmmConfigOverrides = {},
): MaskedAutoregressiveUmmConfig {
  assertMaskedAutoregressivePresetName(preset);
  const body = maskedAutoregressivePresets[preset];
  const understanding = overrides.understanding ?? 'mar-encoder';
  let imageTokenizer: ImageTokenizerConfig;
  const tokenizerOverride = overrides.imageTokenizer;
  if (tokenizerOverride?.type === 'pixels') imageTokenizer = { type: 'pixels' };
  else {
    const presetAutoencoder = body.imageTokenizer.type === 'kl-autoencoder' ? body.imageTokenizer.autoencoder : undefined;
    const autoencoder = { ...(presetAutoencoder as KlAutoencoderConfig), ...(tokenizerOverride?.autoencoder ?? {}) };
    imageTokenizer = { type: 'kl-autoencoder', autoencoder: { ...autoencoder, channelMultipliers: [...autoencoder.channelMultipliers] } };
  }
  const imageSize = overrides.imageSize ?? body.imageSize;
  const stackOverrides: UnderstandingStackConfigOverrides = {
    mode: understanding === 'vit' ? 'frozen' : 'shared',
    ...(overrides.understandingStack ?? {}),
    vision: understanding === 'mar-encoder' ? { ...placeholderVision, ...(overrides.understandingStack?.vision ?? {}) } : overrides.understandingStack?.vision,
  };
  const config: MaskedAutoregressiveUmmConfig = {
    imageSize,
    imageTokenizer,
    generator: { ...body.generator, ...(overrides.generator ?? {}) },
    diffusionHead: { ...body.diffusionHead, ...(overrides.diffusionHead ?? {}) },
    maskRatio: { ...body.maskRatio, ...(overrides.maskRatio ?? {}) },
    fusion: { ...body.fusion, ...(overrides.fusion ?? {}) },
    sampling: { ...body.sampling, ...(overrides.sampling ?? {}) },
    understanding,
    understandingMinimumImageSize: overrides.understandingMinimumImageSize ?? Math.max(1, Math.floor(imageSize / 2)),
    understandingStack: resolveUnderstandingStackConfig(preset, stackOverrides),
  };
  validateMaskedAutoregressiveUmmConfig(config);
  return config;
}

/** Downsampling factor of the image tokenizer (1 for pixels). */
export function imageTokenizerDownsampleFactor(config: ImageTokenizerConfig): number {
  return config.type === 'pixels' ? 1 : klAutoencoderDownsampleFactor(config.autoencoder);
}

/** Latent channels of the image tokenizer (3 for pixels). */
export function imageTokenizerLatentChannels(config: ImageTokenizerConfig): number {
  return config.type === 'pixels' ? 3 : config.autoencoder.latentChannels;
}

/**
 * Checks the cross-field constraints (each part checks its own fields when built).
 * @throws InvalidArgumentError naming the field.
 */
export function validateMaskedAutoregressiveUmmConfig(config: MaskedAutoregressiveUmmConfig): void {
  const fail = (argument: string, message: string): never => {
    throw new InvalidArgumentError({ argument, message });
  };
  const positive = (value: number, argument: string) => {
    if (!Number.isInteger(value) || value <= 0) fail(argument, `must be a positive integer, got ${value}`);
  };
  const { imageSize, imageTokenizer, generator, diffusionHead, sampling, understanding } = config;
  positive(imageSize, 'config.imageSize');
  if (imageTokenizer.type !== 'pixels' && imageTokenizer.type !== 'kl-autoencoder') fail('config.imageTokenizer.type', `must be 'kl-autoencoder' or 'pixels'`);
  if (imageTokenizer.type === 'kl-autoencoder') validateKlAutoencoderConfig(imageTokenizer.autoencoder);
  positive(generator.patchSize, 'config.generator.patchSize');
  const factor = imageTokenizerDownsampleFactor(imageTokenizer) * generator.patchSize;
  if (imageSize % factor !== 0) fail('config.imageSize', `must be a multiple of the tokenizer factor × patch size (${factor}), got ${imageSize}`);
  for (const key of ['encoderWidth', 'encoderDepth', 'encoderNumHeads', 'decoderWidth', 'decoderDepth', 'decoderNumHeads', 'bufferSize'] as const) {
    if (key === 'bufferSize' ? !(Number.isInteger(generator[key]) && generator[key] >= 0) : !(Number.isInteger(generator[key]) && generator[key] > 0)) {
      fail(`config.generator.${key}`, `must be a ${key === 'bufferSize' ? 'non-negative' : 'positive'} integer, got ${generator[key]}`);
    }
  }
  if (generator.encoderWidth % generator.encoderNumHeads !== 0) fail('config.generator.encoderNumHeads', `must divide encoderWidth ${generator.encoderWidth}`);
  if (generator.decoderWidth % generator.decoderNumHeads !== 0) fail('config.generator.decoderNumHeads', `must divide decoderWidth ${generator.decoderWidth}`);
  if (!(generator.mlpRatio > 0)) fail('config.generator.mlpRatio', `must be positive, got ${generator.mlpRatio}`);
  positive(diffusionHead.width, 'config.diffusionHead.width');
  positive(diffusionHead.depth, 'config.diffusionHead.depth');
  positive(diffusionHead.numTimesteps, 'config.diffusionHead.numTimesteps');
  positive(diffusionHead.batchMultiplier, 'config.diffusionHead.batchMultiplier');
  if (diffusionHead.varianceType !== 'learned-range' && diffusionHead.varianceType !== 'fixed-large') {
    fail('config.diffusionHead.varianceType', `must be 'learned-range' or 'fixed-large', got '${String(diffusionHead.varianceType)}'`);
  }
  positive(sampling.iterations, 'config.sampling.iterations');
  positive(sampling.diffusionSteps, 'config.sampling.diffusionSteps');
  if (sampling.diffusionSteps > diffusionHead.numTimesteps) fail('config.sampling.diffusionSteps', `must be at most numTimesteps ${diffusionHead.numTimesteps}`);
  if (sampling.sampler !== 'ddpm' && sampling.sampler !== 'ddim') fail('config.sampling.sampler', `must be 'ddpm' or 'ddim', got '${String(sampling.sampler)}'`);
  if (sampling.guidanceSchedule !== 'linear' && sampling.guidanceSchedule !== 'constant') fail('config.sampling.guidanceSchedule', `must be 'linear' or 'constant'`);
  if (!(sampling.temperature > 0)) fail('config.sampling.temperature', `must be positive, got ${sampling.temperature}`);
  if (understanding !== 'mar-encoder' && understanding !== 'vit') fail('config.understanding', `must be 'mar-encoder' or 'vit', got '${String(understanding)}'`);
  positive(config.understandingMinimumImageSize, 'config.understandingMinimumImageSize');
  if (config.understandingMinimumImageSize > imageSize) fail('config.understandingMinimumImageSize', `must be at most imageSize ${imageSize}`);
  const stack = config.understandingStack;
  if (understanding === 'mar-encoder' && stack.embeddingWidth !== stack.conditionEncoder.width) {
    fail(
      'config.understandingStack.embeddingWidth',
      `must equal the condition width ${stack.conditionEncoder.width} with 'mar-encoder' understanding (proj_in maps the MAR encoder to the width the condition encoder, caption decoder and fusion layers share), got ${stack.embeddingWidth}`,
    );
  }
}
