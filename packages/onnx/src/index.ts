/**
 * @reca/onnx — understanding encoders from ONNX (onnxruntime-node) as the frozen understanding path of any adapter,
 * and export of RecA-TS's ViT encoder (with its projector) to ONNX.
 *
 * - `OnnxUnderstandingEncoder`: CPU / WebGPU / CUDA execution providers, declared input size and normalisation,
 *   patch-token / pooled / feature-map / intermediate outputs, batching, float32 `[batch, tokens, width]` tfjs tensors
 *   with no gradient path.
 * - `withOnnxUnderstanding` + `recaStepWithOnnxUnderstanding`: plug it into any `UnifiedMultimodalModelV1` by
 *   precomputing a step's embeddings (ONNX Runtime is asynchronous, `doEncodeUnderstanding` synchronous);
 *   `createOnnxEncodeUnderstanding` is the asynchronous counterpart of `doEncodeUnderstanding`.
 * - `exportVisionTransformerToOnnx`: `VisionTransformerEncoder` (+ `Projector`) → ONNX bytes built with `onnx-proto`.
 */
export * from './errors/index.js';

export { type OnnxExecutionProvider, onnxExecutionProviders } from './session/execution-provider.js';
export {
  createOnnxSession,
  listOnnxExecutionProviders,
  type CreateOnnxSessionOptions,
  type OnnxExecutionProviderAvailability,
} from './session/create-onnx-session.js';

export type { EncoderNormalization } from './encoder/encoder-normalization.js';
export type { EncoderOutputSelection } from './encoder/encoder-output-selection.js';
export type { EncoderInputLayout, OnnxUnderstandingEncoderOptions } from './encoder/onnx-understanding-encoder-options.js';
export type { HostTensor } from './encoder/model-output-to-tokens.js';
export { exposeIntermediateOutput } from './encoder/expose-intermediate-output.js';
export {
  OnnxUnderstandingEncoder,
  type OnnxUnderstandingEncoderInfo,
  type OnnxValueDescription,
} from './encoder/onnx-understanding-encoder.js';

export {
  createOnnxEncodeUnderstanding,
  type EmbeddingProjector,
  type EncodeUnderstandingAsync,
  type OnnxEncodeUnderstandingOptions,
} from './adapter/create-onnx-encode-understanding.js';
export { imagesFingerprint } from './adapter/images-fingerprint.js';
export { OnnxUnderstandingModel, withOnnxUnderstanding, type WithOnnxUnderstandingOptions } from './adapter/onnx-understanding-model.js';
export { recaStepWithOnnxUnderstanding } from './adapter/reca-step-with-onnx-understanding.js';

export { OnnxGraphBuilder, type OnnxAttribute, type OnnxDimension, type OnnxModelEncodeOptions } from './export/onnx-graph-builder.js';
export {
  exportVisionTransformerToOnnx,
  type ExportVisionTransformerOptions,
  type VisionTransformerOnnxExport,
} from './export/export-vision-transformer-to-onnx.js';

export { VERSION } from './version.js';
