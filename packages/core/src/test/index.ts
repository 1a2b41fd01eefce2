/** Test doubles and the conformance suite, published as `@reca/core/test`. Needs vitest. */
export { MockUnifiedModel, type MockUnifiedModelConfig } from './mock-unified-model.js';
export {
  describeUnifiedModelConformance,
  makeConformanceImages,
  type UnifiedModelConformanceOptions,
} from './describe-unified-model-conformance.js';
