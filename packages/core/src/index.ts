/**
 * @reca/core — the RecA objective and the model contract.
 *
 * - `recaStep` / `createRecaTrainingState`: one RecA optimisation step and the state it carries.
 * - `UnifiedMultimodalModelV1`: the versioned contract adapters implement.
 * - training utilities, tokenizers, safetensors and checkpoints.
 * Test doubles and the conformance suite live in `@reca/core/test`.
 */
export * from './errors/index.js';
export * from './unified-model/v1/index.js';
export { resolveUnifiedModel } from './unified-model/resolve-unified-model.js';
export * from './reca-step/index.js';
export * from './training/index.js';
export * from './tokenizer/index.js';
export * from './checkpoint/index.js';
export { VERSION } from './version.js';
