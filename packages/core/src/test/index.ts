/** Test doubles, published as `@reca/core/test` (no test-runner dependency). */
export { MockUnifiedModel, type MockUnifiedModelConfig } from './mock-unified-model.js';
export { makeConformanceImages } from './make-conformance-images.js';
