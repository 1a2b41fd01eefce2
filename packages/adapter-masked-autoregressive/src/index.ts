/**
 * @reca/adapter-masked-autoregressive — the masked-autoregressive family (Harmon with a MAR generator; DESIGN.md §1,
 * digest §2.2): a KL autoencoder (or pixel patches) for continuous image tokens, MAR's encoder/decoder with random-order
 * masking, MAR's diffusion loss head (SimpleMLPAdaLN, cosine DDPM, ε-prediction, learned σ), iterative MAR sampling
 * with guidance, and Harmon's understanding from the MAR encoder — composed with `@reca/understanding`'s text side.
 */

export { type KlAutoencoderConfig, klAutoencoderDownsampleFactor, validateKlAutoencoderConfig } from './autoencoder/kl-autoencoder-config.js';
export { KlEncoder } from './autoencoder/kl-encoder.js';
export { KlDecoder } from './autoencoder/kl-decoder.js';
export { DiagonalGaussianDistribution } from './autoencoder/diagonal-gaussian-distribution.js';
export type { LatentCodec, LatentEncodeOptions } from './autoencoder/latent-codec.js';
export { KlAutoencoder } from './autoencoder/kl-autoencoder.js';
export { PixelCodec } from './autoencoder/pixel-codec.js';
export { trainKlAutoencoder, type TrainKlAutoencoderOptions, type TrainKlAutoencoderResult } from './autoencoder/train-kl-autoencoder.js';

export { GaussianDiffusionSchedule, type CosineScheduleOptions } from './diffusion/gaussian-diffusion-schedule.js';
export { GaussianDiffusion, type DiffusionVarianceType, type ReverseStep, type DiffusionTrainingLossInput } from './diffusion/gaussian-diffusion.js';
export { normalKl } from './diffusion/normal-kl.js';
export { approximateStandardNormalCdf, discretizedGaussianLogLikelihood } from './diffusion/discretized-gaussian-log-likelihood.js';
export { DiffusionResBlock } from './diffusion/res-block.js';
export { DiffusionFinalLayer } from './diffusion/final-layer.js';
export { SimpleMlpAdaLn, type SimpleMlpAdaLnConfig } from './diffusion/simple-mlp-adaln.js';
export {
  DiffusionLossHead,
  type DiffusionLossHeadConfig,
  type DiffusionHeadLossInput,
  type DiffusionHeadSampleOptions,
} from './diffusion/diffusion-loss-head.js';

export type { TokenDenoiser, TokenSampler, TokenSamplerOptions } from './samplers/token-denoiser.js';
export { DdpmSampler, type DdpmSamplerOptions } from './samplers/ddpm-sampler.js';
export { DdimSampler, type DdimSamplerOptions } from './samplers/ddim-sampler.js';

export { sampleOrders } from './masking/sample-orders.js';
export { MaskRatioSampler, type MaskRatioSamplerConfig } from './masking/mask-ratio-sampler.js';
export { randomMasking, maskByOrder } from './masking/random-masking.js';
export { CosineUnmaskingSchedule } from './masking/cosine-unmasking-schedule.js';
export { gatherTokens, placeTokens, flatRowIndices } from './masking/token-indexing.js';

export { MarBlock, type MarBlockConfig } from './mar/mar-block.js';
export { MaskedAutoregressiveTransformer, type MarTransformerConfig } from './mar/masked-autoregressive-transformer.js';
export { ConditionFusion, type ConditionFusionConfig } from './mar/condition-fusion.js';

export { type MaskedAutoregressivePresetName, maskedAutoregressivePresetNames, assertMaskedAutoregressivePresetName } from './model/preset-name.js';
export {
  type MaskedAutoregressiveUmmConfig,
  type MaskedAutoregressiveUmmConfigOverrides,
  type MaskedAutoregressiveUnderstanding,
  type ImageTokenizerConfig,
  type MarGeneratorConfig,
  type DiffusionHeadConfig,
  type MaskRatioConfig,
  type ConditionFusionSizes,
  type MarSamplingConfig,
  maskedAutoregressivePresets,
  resolveMaskedAutoregressiveUmmConfig,
  validateMaskedAutoregressiveUmmConfig,
  imageTokenizerDownsampleFactor,
  imageTokenizerLatentChannels,
} from './model/masked-autoregressive-umm-config.js';
export { MaskedAutoregressiveGenerator } from './model/masked-autoregressive-generator.js';
export { adapterOptionsKey, parseAdapterOptions, type MaskedAutoregressiveAdapterOptions } from './model/masked-autoregressive-adapter-options.js';
export { sampleMaskedAutoregressiveTokens, type SampleMaskedAutoregressiveOptions } from './model/sample-masked-autoregressive.js';
export {
  MaskedAutoregressiveUmm,
  maskedAutoregressiveAdapterName,
  type MaskedAutoregressiveUmmOptions,
  type MaskedAutoregressiveUmmSavedConfig,
} from './model/masked-autoregressive-umm.js';
export { createMaskedAutoregressiveUmm, shapesWorldWords, type CreateMaskedAutoregressiveUmmOptions } from './model/create-masked-autoregressive-umm.js';
export { loadMaskedAutoregressiveUmmFromCheckpoint, type LoadMaskedAutoregressiveUmmOptions } from './model/load-masked-autoregressive-umm.js';

export { VERSION } from './version.js';
