import { InvalidArgumentError } from '@reca/runtime';
import {
  resolveUnderstandingStackConfig,
  type UnderstandingPresetName,
  type UnderstandingStackConfig,
  type UnderstandingStackConfigOverrides,
  assertPresetName,
} from '@reca/understanding';
import { type AutoencoderConfig, autoencoderDownsamplingFactor, validateAutoencoderConfig } from './autoencoder/autoencoder-config.js';
import { type DenoiserConfig, denoiserConfigDefaults, validateDenoiserConfig } from './denoiser/denoiser-config.js';
import { mergeDefined } from './merge-defined.js';
import { createFlowSampler } from './samplers/create-flow-sampler.js';
import type { FlowSamplerName } from './samplers/flow-sampler.js';
import { assertShift } from './schedules/shift-timestep.js';
import { assertTimestepSampling, type TimestepSampling } from './schedules/timestep-sampling.js';

/** The size presets of {@link createDiffusionUmm}. */
export type DiffusionPresetName = UnderstandingPresetName;

/**
 * The latent space the flow runs in:
 * - `'pixel'`: RGB pixels in [−1, 1] (times `scale`), patchified by the DiT — the tiny preset's choice.
 * - `'autoencoder'`: the latents of a small convolutional autoencoder (OpenUni: DC-AE; BAGEL: FLUX VAE), trained from
 *   scratch with `trainDiffusionUmmAutoencoder` and frozen inside the model. `scale`/`shift` normalise its latents
 *   (`x0 = (latent − shift) · scale`; set by calibration).
 */
export type LatentConfig =
  | {
      readonly type: 'pixel';
      /** @default 1 */
      readonly scale?: number;
      /** @default 0 */
      readonly shift?: number;
    }
  | {
      readonly type: 'autoencoder';
      readonly autoencoder: AutoencoderConfig;
      /** Latent scale (diffusers `scaling_factor`). @default 1 (until calibrated) */
      readonly scale?: number;
      /** Latent shift (FLUX `shift_factor`). @default 0 */
      readonly shift?: number;
    };

/** Flow-matching training settings (the loss of `doGenerationLoss`). */
export interface FlowMatchingConfig {
  /** Training timestep distribution: OpenUni `'uniform'`, BAGEL `'logit-normal'` (sigmoid(N(0, 1))). @default { type: 'uniform' } */
  timestepSampling: TimestepSampling;
  /** Shift of training timesteps (BAGEL `timestep_shift`, 1 in its RecA runs). @default 1 */
  timestepShift: number;
}

/** Sampling defaults of `doSample` (`adapterOptions.diffusion` and the call's `steps` override them). */
export interface SamplingConfig {
  /** ODE solver. @default 'euler' */
  sampler: FlowSamplerName;
  /** Integration steps when the call gives none. */
  steps: number;
  /** Shift of the sampling time grid (SANA samples with 3 at 1024 px). @default 1 */
  shift: number;
}

/** The complete configuration of a {@link DiffusionUmm}; JSON-serialisable, stored in checkpoints. */
export interface DiffusionUmmConfig {
  /** Model identifier. @default `dit-flow-<preset>` */
  modelId: string;
  /** Generator resolution (pixels, square); a multiple of the latent downsampling factor × the patch size. */
  imageSize: number;
  latent: LatentConfig;
  denoiser: DenoiserConfig;
  flowMatching: FlowMatchingConfig;
  sampling: SamplingConfig;
  /** The shared understanding/text stack (`@reca/understanding`), `mode: 'frozen'` in every preset (decoupled UMM). */
  understanding: UnderstandingStackConfig;
}

/** Overrides of a preset: top-level fields, and per-part fields merged into the preset's part. */
export interface DiffusionUmmConfigOverrides {
  modelId?: string;
  imageSize?: number;
  /** Replaces the preset's latent configuration as a whole. */
  latent?: LatentConfig;
  denoiser?: Partial<DenoiserConfig>;
  flowMatching?: Partial<FlowMatchingConfig>;
  sampling?: Partial<SamplingConfig>;
  /** Merged into the preset's understanding overrides (part by part, field by field). */
  understanding?: UnderstandingStackConfigOverrides;
}

interface Preset {
  imageSize: number;
  latent: LatentConfig;
  denoiser: DenoiserConfig;
  sampling: SamplingConfig;
  understanding: UnderstandingStackConfigOverrides;
}

/**
 * The size presets:
 * - `tiny` (CPU tests): 32 px ShapesWorld images as pixel patches (patch 4 → 64 tokens), DiT width 32, 2 blocks,
 *   2 heads, MLP ×2; the tiny understanding stack (16 px ViT, 4 condition queries of width 16); 8 Euler steps.
 * - `small`: 32 px through an f2 autoencoder (16×16×4 latents; channels 32, 64), DiT-S-like width 256, 6 blocks,
 *   4 heads, patch 2 (64 tokens); the small stack (32 px ViT, 16 queries of width 128); 20 Euler steps.
 * - `base`: 256 px through an f8 autoencoder (32×32×4 latents, SD-VAE-like channels 64–256), DiT-B/2 (width 768,
 *   12 blocks, 12 heads, 256 tokens); the base stack (ViT-B/16 at 224 px, read at 112 px minimum); 28 Euler steps.
 * Every preset: cross-attention conditioning and uniform timesteps (OpenUni), frozen understanding.
 */
const presets: Readonly<Record<DiffusionPresetName, Preset>> = {
  tiny: {
    imageSize: 32,
    latent: { type: 'pixel' },
    denoiser: { patchSize: 4, hiddenSize: 32, depth: 2, numHeads: 2, mlpRatio: 2 },
    sampling: { sampler: 'euler', steps: 8, shift: 1 },
    understanding: { mode: 'frozen' },
  },
  small: {
    imageSize: 32,
    latent: { type: 'autoencoder', autoencoder: { blockChannels: [32, 64], latentChannels: 4 } },
    denoiser: { patchSize: 2, hiddenSize: 256, depth: 6, numHeads: 4 },
    sampling: { sampler: 'euler', steps: 20, shift: 1 },
    understanding: { mode: 'frozen' },
  },
  base: {
    imageSize: 256,
    latent: { type: 'autoencoder', autoencoder: { blockChannels: [64, 128, 256, 256], latentChannels: 4 } },
    denoiser: { patchSize: 2, hiddenSize: 768, depth: 12, numHeads: 12 },
    sampling: { sampler: 'euler', steps: 28, shift: 1 },
    understanding: { mode: 'frozen' },
  },
};

/**
 * Overrides that select the two reference models' choices (combine with a preset):
 * - `openuni`: cross-attention (SANA) and uniform timesteps — the presets' default;
 * - `bagel`: joint attention over `[condition, latents]` and logit-normal timesteps sigmoid(N(0, 1)), shift 1.
 */
export const diffusionReferenceOverrides: Readonly<Record<'openuni' | 'bagel', DiffusionUmmConfigOverrides>> = {
  openuni: { denoiser: { conditioning: 'cross-attention' }, flowMatching: { timestepSampling: { type: 'uniform' }, timestepShift: 1 } },
  bagel: {
    denoiser: { conditioning: 'joint-attention' },
    flowMatching: { timestepSampling: { type: 'logit-normal', mean: 0, standardDeviation: 1 }, timestepShift: 1 },
  },
};

/** The preset names. */
export const diffusionPresetNames: readonly DiffusionPresetName[] = ['tiny', 'small', 'base'];

/**
 * A complete configuration from a preset and overrides.
 *
 * @param preset - `'tiny'`, `'small'` or `'base'`.
 * @param overrides - fields that replace the preset's (see {@link DiffusionUmmConfigOverrides}).
 * @throws InvalidArgumentError naming the first invalid field.
 */
export function resolveDiffusionUmmConfig(preset: DiffusionPresetName, overrides: DiffusionUmmConfigOverrides = {}): DiffusionUmmConfig {
  assertPresetName(preset);
  const base = presets[preset];
  const understandingOverrides = mergeUnderstandingOverrides(base.understanding, overrides.understanding);
  const config: DiffusionUmmConfig = {
    modelId: overrides.modelId ?? `dit-flow-${preset}`,
    imageSize: overrides.imageSize ?? base.imageSize,
    latent: overrides.latent ?? base.latent,
    denoiser: mergeDefined({ ...denoiserConfigDefaults, ...base.denoiser }, overrides.denoiser),
    flowMatching: mergeDefined<FlowMatchingConfig>({ timestepSampling: { type: 'uniform' }, timestepShift: 1 }, overrides.flowMatching),
    sampling: mergeDefined(base.sampling, overrides.sampling),
    understanding: resolveUnderstandingStackConfig(preset, understandingOverrides),
  };
  validateDiffusionUmmConfig(config);
  return JSON.parse(JSON.stringify(config)) as DiffusionUmmConfig;
}

/**
 * Checks a complete configuration (each part, and that the image size fits the latent factor and the patch size).
 *
 * @throws InvalidArgumentError naming the field.
 */
export function validateDiffusionUmmConfig(config: DiffusionUmmConfig): void {
  const { imageSize, latent, denoiser, flowMatching, sampling } = config;
  if (typeof config.modelId !== 'string' || config.modelId.length === 0) {
    throw new InvalidArgumentError({ argument: 'config.modelId', message: `must be a non-empty string, got ${JSON.stringify(config.modelId)}` });
  }
  if (latent?.type !== 'pixel' && latent?.type !== 'autoencoder') {
    throw new InvalidArgumentError({ argument: 'config.latent.type', message: `must be 'pixel' or 'autoencoder', got '${String((latent as { type?: unknown } | undefined)?.type)}'` });
  }
  if (latent.type === 'autoencoder') validateAutoencoderConfig(latent.autoencoder, 'config.latent.autoencoder');
  for (const [field, value] of [['scale', latent.scale ?? 1], ['shift', latent.shift ?? 0]] as const) {
    if (!Number.isFinite(value) || (field === 'scale' && !(value > 0))) {
      throw new InvalidArgumentError({ argument: `config.latent.${field}`, message: `must be ${field === 'scale' ? 'positive and ' : ''}finite, got ${value}` });
    }
  }
  validateDenoiserConfig(denoiser, 'config.denoiser');
  const factor = latent.type === 'autoencoder' ? autoencoderDownsamplingFactor(latent.autoencoder) : 1;
  if (!Number.isInteger(imageSize) || imageSize <= 0 || imageSize % (factor * denoiser.patchSize) !== 0) {
    throw new InvalidArgumentError({
      argument: 'config.imageSize',
      message: `must be a positive multiple of the latent downsampling factor ${factor} × patch size ${denoiser.patchSize}, got ${imageSize}`,
    });
  }
  assertTimestepSampling(flowMatching.timestepSampling, 'config.flowMatching.timestepSampling');
  assertShift(flowMatching.timestepShift, 'config.flowMatching.timestepShift');
  createFlowSampler(sampling.sampler);
  if (!Number.isInteger(sampling.steps) || sampling.steps < 1) {
    throw new InvalidArgumentError({ argument: 'config.sampling.steps', message: `must be a positive integer, got ${sampling.steps}` });
  }
  assertShift(sampling.shift, 'config.sampling.shift');
}

function mergeUnderstandingOverrides(
  base: UnderstandingStackConfigOverrides,
  overrides: UnderstandingStackConfigOverrides | undefined,
): UnderstandingStackConfigOverrides {
  if (!overrides) return base;
  return {
    ...mergeDefined(base, overrides),
    vision: mergeDefined(base.vision ?? {}, overrides.vision),
    captionDecoder: mergeDefined(base.captionDecoder ?? {}, overrides.captionDecoder),
    conditionEncoder: mergeDefined(base.conditionEncoder ?? {}, overrides.conditionEncoder),
  };
}
