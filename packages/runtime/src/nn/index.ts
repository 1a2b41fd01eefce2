export {
  Module,
  type RegisterParameterOptions,
  type ParameterSelectionOptions,
  type LoadNamedWeightsOptions,
  type LoadNamedWeightsResult,
  type NamedWeights,
} from './module.js';
export { ModuleList } from './module-list.js';
export { WeightNamesMismatchError } from './weight-names-mismatch-error.js';
export { initializeParameter, type Initializer, type InitializerFans } from './initializer.js';
export { Linear, type LinearConfig } from './linear.js';
export { Embedding, type EmbeddingConfig } from './embedding.js';
export { LayerNorm, type LayerNormConfig } from './layer-norm.js';
export { RMSNorm, type RMSNormConfig } from './rms-norm.js';
export { causalMask, type CausalMaskOptions } from './causal-mask.js';
export { blockCausalMask } from './block-causal-mask.js';
export { paddingMask, type PaddingMaskOptions } from './padding-mask.js';
export { attentionBias, BLOCKED_ATTENTION_SCORE, type AttentionMaskOptions } from './attention-bias.js';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './scaled-dot-product-attention.js';
export {
  rotaryEmbedding1d,
  rotaryEmbedding2d,
  applyRotaryEmbedding,
  disposeRotaryEmbedding,
  type RotaryEmbedding,
  type RotaryLayout,
  type RotaryEmbedding1dOptions,
  type RotaryEmbedding2dOptions,
} from './rotary-embedding.js';
export {
  MultiHeadAttention,
  type MultiHeadAttentionConfig,
  type AttentionProjection,
  type AttentionParameterNames,
  type AttentionForwardOptions,
  type AttentionCallOptions,
  type KeyValueCache,
} from './multi-head-attention.js';
export { Mlp, type MlpConfig } from './mlp.js';
export { SwiGluMlp, llamaHiddenDim, type SwiGluMlpConfig } from './swiglu-mlp.js';
export { AdaLnModulation, modulate, type AdaLnModulationConfig } from './ada-ln-modulation.js';
export { patchify, unpatchify, type PatchFeatureOrder, type PatchifyOptions } from './patchify.js';
export { sinusoidalTimestepEmbedding } from './timestep-embedding.js';
export { TimestepEmbedder, type TimestepEmbedderConfig } from './timestep-embedder.js';
export { Conv2d, type Conv2dConfig } from './conv2d.js';
export { GroupNorm, type GroupNormConfig } from './group-norm.js';
export { upsampleNearest2x } from './upsample-nearest.js';
export { ResnetBlock, type ResnetBlockConfig } from './resnet-block.js';
