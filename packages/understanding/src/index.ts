/**
 * @reca/understanding — the understanding and text sides every adapter shares (DESIGN.md §2): a ViT encoder, the
 * projector into the condition width, the image-to-text caption decoder, the condition encoder (plain prefix or a
 * shared query bottleneck for text prompts and RecA conditions alike), the contrastive alignment loss, and the
 * `UnderstandingStack` that bundles them for an adapter.
 */
export { type UnderstandingPresetName, understandingPresetNames, assertPresetName } from './preset-name.js';

export { sincosPositionEmbedding2d, type SincosPositionEmbedding2dOptions } from './vision/sincos-position-embedding-2d.js';
export { PatchEmbedding, type PatchEmbeddingConfig } from './vision/patch-embedding.js';
export { VisionTransformerBlock, type VisionTransformerBlockConfig } from './vision/vision-transformer-block.js';
export { type VisionTransformerConfig, visionTransformerPresets } from './vision/vision-transformer-config.js';
export { VisionTransformerEncoder, type VisionTransformerForwardOptions } from './vision/vision-transformer-encoder.js';

export { Projector, type ProjectorConfig } from './projector/projector.js';

export type { TextTransformerConfig } from './text/text-transformer-config.js';
export { TextTransformerLayer, type TextTransformerLayerConfig, type TextTransformerLayerOptions } from './text/text-transformer-layer.js';
export { TextTransformer, disposeCaches, type TextTransformerRunOptions } from './text/text-transformer.js';

export { type CaptionDecoderConfig, captionDecoderPresets } from './caption/caption-decoder-config.js';
export { CaptionDecoder, type CaptionGenerationOptions } from './caption/caption-decoder.js';

export { type ConditionEncoderConfig, type ConditionLayout, conditionEncoderPresets } from './condition/condition-encoder-config.js';
export { conditionAttentionMask, type ConditionAttentionMaskOptions } from './condition/condition-attention-mask.js';
export { ConditionEncoder, type ConditionEncoderForwardInput } from './condition/condition-encoder.js';

export { poolCondition } from './alignment/pool-condition.js';
export { contrastiveAlignmentLoss, type ContrastiveAlignmentLossOptions } from './alignment/contrastive-alignment-loss.js';

export {
  type UnderstandingMode,
  type UnderstandingStackConfig,
  type UnderstandingStackConfigOverrides,
  resolveUnderstandingStackConfig,
  validateUnderstandingStackConfig,
} from './stack/understanding-stack-config.js';
export {
  UnderstandingStack,
  createUnderstandingStack,
  understandingStackPrefixes,
  type UnderstandingStackOptions,
  type CreateUnderstandingStackOptions,
  type EncodeUnderstandingOptions,
  type UnderstandingLossOptions,
  type AlignmentLossOptions,
} from './stack/understanding-stack.js';

export { VERSION } from './version.js';
