/**
 * @reca/adapter-diffusion — the diffusion / flow-matching family of unified models (OpenUni / BAGEL style): a frozen
 * understanding encoder and a trainable text side from `@reca/understanding`, a DiT denoiser with AdaLN-Zero read
 * through cross-attention or joint attention, rectified-flow training, Euler/Heun sampling with classifier-free
 * guidance, and pixel or autoencoder latents.
 */
export { DiffusionUmm, autoencoderWeightPrefix, type DiffusionUmmOptions, type DiffusionUmmSavedConfig } from './diffusion-umm.js';
export {
  type DiffusionPresetName,
  type DiffusionUmmConfig,
  type DiffusionUmmConfigOverrides,
  type FlowMatchingConfig,
  type LatentConfig,
  type SamplingConfig,
  diffusionPresetNames,
  diffusionReferenceOverrides,
  resolveDiffusionUmmConfig,
  validateDiffusionUmmConfig,
} from './diffusion-umm-config.js';
export { createDiffusionUmm, createDiffusionUmmFromConfig, type CreateDiffusionUmmOptions } from './create-diffusion-umm.js';
export { loadDiffusionUmmFromCheckpoint } from './load-diffusion-umm-from-checkpoint.js';
export { createDefaultTokenizer } from './default-tokenizer.js';
export { parseDiffusionAdapterOptions, type DiffusionAdapterOptions } from './diffusion-adapter-options.js';
export { trainDiffusionUmmAutoencoder, type TrainDiffusionUmmAutoencoderResult } from './train-diffusion-umm-autoencoder.js';

export { UnknownPredictionTypeError } from './errors/unknown-prediction-type-error.js';

export { FlowMatchSchedule, flowPredictionTypes, type FlowMatchScheduleConfig, type FlowPredictionType } from './schedules/flow-match-schedule.js';
export { drawTimesteps, type TimestepSampling } from './schedules/timestep-sampling.js';
export { shiftTimestep } from './schedules/shift-timestep.js';

export type { FlowSampler, FlowSamplerName, FlowSampleOptions, VelocityFunction } from './samplers/flow-sampler.js';
export { EulerSampler } from './samplers/euler-sampler.js';
export { HeunSampler } from './samplers/heun-sampler.js';
export { createFlowSampler, flowSamplerNames } from './samplers/create-flow-sampler.js';
export { classifierFreeGuidance } from './samplers/classifier-free-guidance.js';
export { concatenateConditions } from './samplers/concatenate-conditions.js';

export { type DenoiserConditioning, type DenoiserConfig, denoiserConfigDefaults } from './denoiser/denoiser-config.js';
export { DiffusionTransformer, type DiffusionTransformerConfig, type DenoiserCondition } from './denoiser/diffusion-transformer.js';
export { DitBlock, type DitBlockConfig, type DitBlockInputs } from './denoiser/dit-block.js';
export { FinalLayer } from './denoiser/final-layer.js';
export { CaptionEmbedder } from './denoiser/caption-embedder.js';
export { jointAttentionMask } from './denoiser/joint-attention-mask.js';

export type { LatentSpace } from './latent/latent-space.js';
export { PixelLatentSpace } from './latent/pixel-latent-space.js';
export { AutoencoderLatentSpace } from './latent/autoencoder-latent-space.js';

export { Autoencoder } from './autoencoder/autoencoder.js';
export { type AutoencoderConfig, autoencoderDownsamplingFactor } from './autoencoder/autoencoder-config.js';
export { ResidualBlock } from './autoencoder/residual-block.js';
export { trainAutoencoder, type TrainAutoencoderOptions, type TrainAutoencoderResult } from './autoencoder/train-autoencoder.js';
export { calibrateLatentNormalization, type CalibrateLatentNormalizationOptions } from './autoencoder/calibrate-latent-normalization.js';

export { VERSION } from './version.js';
