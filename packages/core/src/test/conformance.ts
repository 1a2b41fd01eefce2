/** The conformance suite every adapter runs, published as `@reca/core/test/conformance` (needs vitest). */
export { describeUnifiedModelConformance, type UnifiedModelConformanceOptions } from './describe-unified-model-conformance.js';
