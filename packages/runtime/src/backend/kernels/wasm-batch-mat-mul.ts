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

/**
 * Runs the stock kernel `kernelName` (BatchMatMul or _FusedMatMul) with transposed operands materialised first, so it
 * never sees `transposeA`/`transposeB`. Other inputs (bias, prelu weights) and attributes pass through.
 */
function withPlainOperands(kernelName: 'BatchMatMul' | '_FusedMatMul', parameters: KernelParameters): tf.TensorInfo {
  const { inputs, backend, attrs } = parameters;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return runStockKernel(backendName, kernelName, parameters);
  const a = inputs['a'] as tf.TensorInfo;
  const b = inputs['b'] as tf.TensorInfo;
  const left = transposeA ? transposeLastTwo(backend, a) : a;
  const right = transposeB ? transposeLastTwo(backend, b) : b;
  const result = runStockKernel(backendName, kernelName, {
    inputs: { ...inputs, a: left, b: right },
    backend,
    attrs: { ...attrs, transposeA: false, transposeB: false },
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
  kernelFunc: (parameters) => withPlainOperands('BatchMatMul', parameters),
};

/** The activation a _FusedMatMul applies last, as the backend's own kernel call (`linear`: none). */
function applyActivation(backend: KernelParameters['backend'], x: tf.TensorInfo, attrs: tf.NamedAttrMap, preluWeights: tf.TensorInfo | undefined): tf.TensorInfo {
  const activation = (attrs['activation'] as string | undefined) ?? 'linear';
  const unary = (kernelName: string, extra: tf.NamedAttrMap = {}) => runRegisteredKernel(backendName, kernelName, { inputs: { x }, backend, attrs: extra });
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return unary('Relu');
    case 'relu6':
      return unary('Relu6');
    case 'elu':
      return unary('Elu');
    case 'sigmoid':
      return unary('Sigmoid');
    case 'leakyrelu':
      return unary('LeakyRelu', { alpha: (attrs['leakyreluAlpha'] as number | undefined) ?? 0.2 });
    case 'prelu':
      if (preluWeights === undefined) throw new Error('_FusedMatMul: prelu activation without preluActivationWeights');
      return runRegisteredKernel(backendName, 'Prelu', { inputs: { x, alpha: preluWeights }, backend, attrs: {} });
    default:
      throw new Error(`_FusedMatMul: unknown activation '${activation}'`);
  }
}

/** _FusedMatMul as BatchMatMul (with the fix above), Add of the bias and the activation, each the backend's kernel. */
function fusedMatMulKernel(parameters: KernelParameters): tf.TensorInfo {
  const { inputs, backend, attrs } = parameters;
  const product = withPlainOperands('BatchMatMul', { inputs: { a: inputs['a'] as tf.TensorInfo, b: inputs['b'] as tf.TensorInfo }, backend, attrs });
  const bias = inputs['bias'] as tf.TensorInfo | undefined;
  const biased = bias == null ? product : runRegisteredKernel(backendName, 'Add', { inputs: { a: product, b: bias }, backend, attrs: {} });
  if (biased !== product) disposeTensorInfo(backend, product);
  const activated = applyActivation(backend, biased, attrs as unknown as tf.NamedAttrMap, inputs['preluActivationWeights'] as tf.TensorInfo | undefined);
  if (activated !== biased) disposeTensorInfo(backend, biased);
  return activated;
}

/**
 * tfjs-backend-wasm 4.22's _FusedMatMul (tf.fused.matMul) adds the wrong bias: with a transposed operand, element i of
 * each output matrix gets `bias[min(i, n − 1)]` instead of `bias[i mod n]` (row 0 right, every later row the last
 * column's bias), and batched products are wrong even untransposed (found when Linear moved to tf.fused.matMul: a
 * [2, 3]·[4, 3]ᵀ product with bias was off by up to 0.19; the parity suite now covers it). Only the plain 2-D case was
 * right, so the fix composes the backend's BatchMatMul, Add and activation kernels instead.
 */
export const wasmFusedMatMulFix: KernelFix = {
  id: 'wasm:_FusedMatMul',
  kernelName: '_FusedMatMul',
  backendName,
  description: 'adds a wrongly indexed bias (transposed or batched operands); composes BatchMatMul + Add + activation.',
  kernelFunc: fusedMatMulKernel,
};
