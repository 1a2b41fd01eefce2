/**
 * The tensor backends RecA-TS can run on, best first (DESIGN.md §2):
 * - `torch`: libtorch (ATen) through `@reca/runtime-torch` (CUDA when the linked libtorch has it, else CPU);
 * - `tensorflow`: `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`, when the user installed them;
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu` on Dawn (npm `webgpu`), on a hardware adapter;
 * - `wasm`: `@tensorflow/tfjs-backend-wasm`, the portable CPU default;
 * - `cpu`: the plain-JavaScript reference backend.
 */
export type BackendName = 'torch' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Every {@link BackendName}, in the order `auto` resolution tries them (best first). */
export const backendNames: readonly BackendName[] = ['torch', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** True when `value` is one of {@link backendNames}. */
export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (backendNames as readonly string[]).includes(value);
}
