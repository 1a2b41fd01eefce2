/**
 * @reca/adapter-autoregressive — the autoregressive family of unified multimodal models for RecA (LlamaGen/Janus
 * next-token generation over VQ image tokens; Show-o/MaskGIT masked-token generation as an option): a VQ
 * autoencoder image tokenizer, LlamaGen's decoder-only transformer with 2-D RoPE, KV-cache and MaskGIT samplers, on
 * the shared understanding stack of `@reca/understanding`.
 */
export { AutoregressiveUmm, AUTOREGRESSIVE_ADAPTER, VQ_WEIGHT_PREFIX, type AutoregressiveUmmOptions, type AutoregressiveSampleAdapterOptions } from './autoregressive-umm.js';
export {
  resolveAutoregressiveUmmConfig,
  validateAutoregressiveUmmConfig,
  type AutoregressivePresetName,
  type AutoregressiveUmmConfig,
  type AutoregressiveUmmOverrides,
  type AutoregressiveGeneratorConfig,
  type AutoregressiveSamplingDefaults,
} from './autoregressive-umm-config.js';
export {
  createAutoregressiveUmm,
  createAutoregressiveUmmFromConfig,
  loadAutoregressiveUmmFromCheckpoint,
  type CreateAutoregressiveUmmOptions,
  type LoadAutoregressiveUmmOptions,
} from './create-autoregressive-umm.js';

export { VqEncoder } from './vq/vq-encoder.js';
export { VqDecoder } from './vq/vq-decoder.js';
export { VectorQuantizer, type VectorQuantizerConfig, type QuantizeResult } from './vq/vector-quantizer.js';
export {
  vqTokenizerPresets,
  vqDownsampleFactor,
  vqGridSize,
  validateVqTokenizerConfig,
  type VqTokenizerConfig,
  type VqTokenizerPresetName,
} from './vq/vq-tokenizer-config.js';
export { VqTokenizer, createVqTokenizer, type VqTrainingLosses } from './vq/vq-tokenizer.js';
export { trainVqTokenizer, type TrainVqTokenizerOptions, type TrainVqTokenizerResult } from './vq/train-vq-tokenizer.js';
export { measureVqReconstruction, type MeasureVqReconstructionOptions, type VqReconstructionReport } from './vq/measure-vq-reconstruction.js';
export { saveVqTokenizer, loadVqTokenizer, VQ_TOKENIZER_FORMAT, type LoadVqTokenizerOptions } from './vq/vq-tokenizer-checkpoint.js';

export {
  headDimOf,
  feedForwardHiddenDim,
  validateLlamaGenTransformerConfig,
  type GenerationMode,
  type LlamaGenTransformerConfig,
} from './generator/llamagen-transformer-config.js';
export { TransformerBlock } from './generator/transformer-block.js';
export { LlamaGenTransformer, disposeGeneratorCache, type GeneratorCondition, type GeneratorCache } from './generator/llamagen-transformer.js';

export { cosineMaskRatio, trainingMaskCount, maskCountAfterStep } from './masking/cosine-mask-schedule.js';
export { drawTokenMasks, type TokenMasks } from './masking/random-token-masking.js';
export { nextTokenLoss } from './losses/next-token-loss.js';
export { maskedTokenLoss, IGNORED_LABEL } from './losses/masked-token-loss.js';

export {
  samplingDistribution,
  drawFromDistribution,
  sampleToken,
  validateTokenSamplingOptions,
  type TokenSamplingOptions,
} from './sampling/token-sampling.js';
export { guidedLogits } from './sampling/guided-logits.js';
export { stackConditions } from './sampling/stack-conditions.js';
export { sampleAutoregressive, type AutoregressiveSamplingOptions } from './sampling/autoregressive-sampler.js';
export { sampleMaskGit, type MaskGitSamplingOptions } from './sampling/maskgit-sampler.js';

export { VERSION } from './version.js';
