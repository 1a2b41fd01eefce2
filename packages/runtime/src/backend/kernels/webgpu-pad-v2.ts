import type { tf } from '../../tf.js';
import { collapseConstantPad, isolateDimension, maximumSafeWebGpuRank } from './collapse-dimensions.js';
import { runOnReshaped, runStockKernel, disposeTensorInfo } from './delegate-kernel.js';
import type { KernelFix } from './kernel-fix.js';
import type { KernelParameters } from './wasm-kernel-io.js';

const backendName = 'webgpu';

function padShape(shape: readonly number[], paddings: ReadonlyArray<readonly [number, number]>): number[] {
  return shape.map((size, dimension) => size + (paddings[dimension] as readonly [number, number])[0] + (paddings[dimension] as readonly [number, number])[1]);
}

/** One stock PadV2 call on `x` seen as the collapsed shape (rank ≤ 4). */
function padCollapsed(
  backend: KernelParameters['backend'],
  x: tf.TensorInfo,
  paddings: ReadonlyArray<readonly [number, number]>,
  constantValue: number,
): tf.TensorInfo {
  const collapsed = collapseConstantPad(x.shape, paddings);
  return runOnReshaped(backendName, backend, x, collapsed.shape, padShape(x.shape, paddings), (reshaped) =>
    runStockKernel(backendName, 'PadV2', {
      inputs: { x: reshaped },
      backend,
      attrs: { paddings: collapsed.paddings, constantValue },
    }),
  );
}

/**
 * PadV2 for WebGPU at any rank: the stock kernel for rank ≤ 4; otherwise the pad on a collapsed shape (see
 * `collapseConstantPad`), or, when more than three dimensions are padded, one padded dimension at a time.
 */
function padV2Kernel(parameters: KernelParameters): tf.TensorInfo {
  const { inputs, backend, attrs } = parameters;
  const x = inputs['x'] as tf.TensorInfo;
  const { paddings, constantValue } = attrs as unknown as tf.PadV2Attrs;
  if (x.shape.length <= maximumSafeWebGpuRank) return runStockKernel(backendName, 'PadV2', parameters);
  if (collapseConstantPad(x.shape, paddings).shape.length <= maximumSafeWebGpuRank) {
    return padCollapsed(backend, x, paddings, constantValue);
  }
  let current = x;
  for (let dimension = 0; dimension < x.shape.length; dimension++) {
    const [before, after] = paddings[dimension] as [number, number];
    if (before === 0 && after === 0) continue;
    const isolated = isolateDimension(current.shape, dimension);
    const stagePaddings: Array<[number, number]> = [[0, 0], [before, after], [0, 0]];
    const stageShape = current.shape.map((size, index) => (index === dimension ? size + before + after : size));
    const next = runOnReshaped(backendName, backend, current, isolated, stageShape, (reshaped) =>
      padCollapsed(backend, reshaped, stagePaddings, constantValue),
    );
    if (current !== x) disposeTensorInfo(backend, current);
    current = next;
  }
  return current;
}

/**
 * tfjs-backend-webgpu 4.22's PadV2 shader is invalid WGSL for rank-5/6 inputs ("cannot index type 'vec5'"); Dawn
 * then drops the whole command buffer without a JavaScript error (stale values, wrong gradients of rank-5/6 slices).
 */
export const webGpuPadV2Fix: KernelFix = {
  id: 'webgpu:PadV2',
  kernelName: 'PadV2',
  backendName,
  description: 'stock shader is invalid WGSL at rank ≥ 5 (rank-5/6 slice gradients); collapses to rank ≤ 4 and reuses it.',
  kernelFunc: padV2Kernel,
};
