/**
 * @reca/runtime — the one tensor runtime every RecA-TS package shares.
 *
 * - `tf`: the TensorFlow.js API (union package) all model code is written against.
 * - backend: resolution (torch → tensorflow → webgpu → wasm → cpu), a report of the choice, kernel fixes.
 * - random: seeded, checkpointable randomness. memory: leak accounting. ops/nn: shared building blocks.
 * - fused: kernels a fast backend may provide for LayerNorm, GELU, cross-entropy and AdamW. optim: AdamW.
 */
export { tf } from './tf.js';
export type { Tensor, Scalar, Variable, Rank, NamedTensorMap, DataType } from './tf.js';
export * from './errors/index.js';
export * from './random/index.js';
export * from './memory/index.js';
export * from './backend/index.js';
export * from './ops/index.js';
export * from './fused/index.js';
export * from './optim/index.js';
export * from './nn/index.js';
export * from './image/index.js';
export { VERSION } from './version.js';
