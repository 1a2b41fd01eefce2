export type {
  UnifiedMultimodalModelV1,
  UnifiedModelFamily,
  UnderstandingGradientPolicy,
  UnifiedModelV1UnderstandingInfo,
  NamedVariable,
  UnifiedModelV1RecaDefaults,
} from './unified-model-v1.js';
export { disposeCondition, type UnifiedModelV1Condition } from './unified-model-v1-condition.js';
export type {
  UnifiedModelV1AlignmentLossOptions,
  UnifiedModelV1BuildConditionOptions,
  UnifiedModelV1EncodeUnderstandingOptions,
  UnifiedModelV1GenerationLossOptions,
  UnifiedModelV1SampleOptions,
  UnifiedModelV1UnderstandingLossOptions,
} from './unified-model-v1-call-options.js';
export type { UnifiedModelV1LossResult, UnifiedModelV1SampleResult, UnifiedModelV1Warning } from './unified-model-v1-results.js';
