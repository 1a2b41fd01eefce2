import type { tf } from '../../tf.js';
import { disposeTensorInfo, runRegisteredKernel, runStockKernel } from './delegate-kernel.js';
import type { KernelFix } from './kernel-fix.js';
import type { KernelParameters } from './wasm-kernel-io.js';

const backendName = 'wasm';

/** Swaps the last two dimensions of `x` with the backend's own Transpose kernel. The caller frees the result. */
function transposeLastTwo(backend: KernelParameters['backend'], x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, axis) => axis), rank - 1, rank - 2];
  return runRegisteredKernel(backendName, 'Transpose', { inputs: { x }, backend, attrs: { perm } });
}

/** BatchMatMul with transposed operands materialised first, so the stock kernel always takes its fast path. */
function batchMatMulKernel(parameters: KernelParameters): tf.TensorInfo {
  const { inputs, backend, attrs } = parameters;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return runStockKernel(backendName, 'BatchMatMul', parameters);
  const a = inputs['a'] as tf.TensorInfo;
  const b = inputs['b'] as tf.TensorInfo;
  const left = transposeA ? transposeLastTwo(backend, a) : a;
  const right = transposeB ? transposeLastTwo(backend, b) : b;
  const result = runStockKernel(backendName, 'BatchMatMul', {
    inputs: { a: left, b: right },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
  if (left !== a) disposeTensorInfo(backend, left);
  if (right !== b) disposeTensorInfo(backend, right);
  return result;
}

/**
 * tfjs-backend-wasm 4.22's BatchMatMul leaves its fast (XNNPACK) path when an operand is transposed: `x·Wᵀ` — every
 * linear layer with PyTorch's [out, in] weight layout, and most gradients — ran ~30× slower (108 ms vs 3.6 ms for a
 * [320, 256]·[704, 256]ᵀ product). Transposing the operand first (a cheap copy) and multiplying plainly is exact.
 */
export const wasmBatchMatMulFix: KernelFix = {
  id: 'wasm:BatchMatMul',
  kernelName: 'BatchMatMul',
  backendName,
  description: 'transposed operands leave the fast path (~30× slower); transposes them first and multiplies plainly.',
  kernelFunc: batchMatMulKernel,
};
