export { OnnxModelMismatchError } from './onnx-model-mismatch-error.js';
export { OnnxInputMismatchError } from './onnx-input-mismatch-error.js';
export { ExecutionProviderUnavailableError } from './execution-provider-unavailable-error.js';
export { UnderstandingNotPrecomputedError } from './understanding-not-precomputed-error.js';
