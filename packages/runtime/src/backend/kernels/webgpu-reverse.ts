import { tf } from '../../tf.js';
import { collapseReverse, isolateDimension, maximumSafeWebGpuRank } from './collapse-dimensions.js';
import { disposeTensorInfo, runOnReshaped, runStockKernel } from './delegate-kernel.js';
import type { KernelFix } from './kernel-fix.js';
import type { KernelParameters } from './wasm-kernel-io.js';

const backendName = 'webgpu';

/**
 * Reverse for WebGPU at any rank: stock at rank ≤ 4; else adjacent reversed/kept dimensions merged, or one reversed
 * axis at a time.
 */
function reverseKernel(parameters: KernelParameters): tf.TensorInfo {
  const { inputs, backend, attrs } = parameters;
  const x = inputs['x'] as tf.TensorInfo;
  if (x.shape.length <= maximumSafeWebGpuRank) return runStockKernel(backendName, 'Reverse', parameters);
  const { dims } = attrs as unknown as tf.ReverseAttrs;
  const axes = tf.util.parseAxisParam(dims, x.shape);
  const collapsed = collapseReverse(x.shape, axes);
  if (collapsed.shape.length <= maximumSafeWebGpuRank) {
    return runOnReshaped(backendName, backend, x, collapsed.shape, [...x.shape], (reshaped) =>
      runStockKernel(backendName, 'Reverse', { inputs: { x: reshaped }, backend, attrs: { dims: collapsed.axes } }),
    );
  }
  let current = x;
  for (const axis of [...new Set(axes)]) {
    const next = runOnReshaped(backendName, backend, current, isolateDimension(x.shape, axis), [...x.shape], (reshaped) =>
      runStockKernel(backendName, 'Reverse', { inputs: { x: reshaped }, backend, attrs: { dims: [1] } }),
    );
    if (current !== x) disposeTensorInfo(backend, current);
    current = next;
  }
  return current;
}

/** tfjs-backend-webgpu 4.22's Reverse reshapes to rank 4 and throws for rank ≥ 5 ("Size(…) must match …"). */
export const webGpuReverseFix: KernelFix = {
  id: 'webgpu:Reverse',
  kernelName: 'Reverse',
  backendName,
  description: 'stock kernel throws at rank ≥ 5; collapses to rank ≤ 4 (or one axis at a time) and reuses it.',
  kernelFunc: reverseKernel,
};
