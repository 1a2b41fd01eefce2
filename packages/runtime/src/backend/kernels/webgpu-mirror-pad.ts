import type { tf } from '../../tf.js';
import { collapseMirrorPad, isolateDimension, maximumSafeWebGpuRank } from './collapse-dimensions.js';
import { disposeTensorInfo, runOnReshaped, runStockKernel } from './delegate-kernel.js';
import type { KernelFix } from './kernel-fix.js';
import type { KernelParameters } from './wasm-kernel-io.js';

const backendName = 'webgpu';

function mirrorPadCollapsed(
  backend: KernelParameters['backend'],
  x: tf.TensorInfo,
  paddings: ReadonlyArray<readonly [number, number]>,
  mode: tf.MirrorPadAttrs['mode'],
): tf.TensorInfo {
  const collapsed = collapseMirrorPad(x.shape, paddings);
  const outputShape = x.shape.map(
    (size, dimension) => size + (paddings[dimension] as readonly [number, number])[0] + (paddings[dimension] as readonly [number, number])[1],
  );
  return runOnReshaped(backendName, backend, x, collapsed.shape, outputShape, (reshaped) =>
    runStockKernel(backendName, 'MirrorPad', { inputs: { x: reshaped }, backend, attrs: { paddings: collapsed.paddings, mode } }),
  );
}

/**
 * MirrorPad for WebGPU at any rank: stock at rank ≤ 4; else merged runs of unpadded dimensions, or one padded
 * dimension at a time (mirror padding is separable per dimension).
 */
function mirrorPadKernel(parameters: KernelParameters): tf.TensorInfo {
  const { inputs, backend, attrs } = parameters;
  const x = inputs['x'] as tf.TensorInfo;
  const { paddings, mode } = attrs as unknown as tf.MirrorPadAttrs;
  if (x.shape.length <= maximumSafeWebGpuRank) return runStockKernel(backendName, 'MirrorPad', parameters);
  if (collapseMirrorPad(x.shape, paddings).shape.length <= maximumSafeWebGpuRank) {
    return mirrorPadCollapsed(backend, x, paddings, mode);
  }
  let current = x;
  for (let dimension = 0; dimension < x.shape.length; dimension++) {
    const [before, after] = paddings[dimension] as [number, number];
    if (before === 0 && after === 0) continue;
    const stageShape = current.shape.map((size, index) => (index === dimension ? size + before + after : size));
    const next = runOnReshaped(backendName, backend, current, isolateDimension(current.shape, dimension), stageShape, (reshaped) =>
      mirrorPadCollapsed(backend, reshaped, [[0, 0], [before, after], [0, 0]], mode),
    );
    if (current !== x) disposeTensorInfo(backend, current);
    current = next;
  }
  return current;
}

/** tfjs-backend-webgpu 4.22's MirrorPad shader has PadV2's rank ≥ 5 WGSL bug (silently dropped command buffer). */
export const webGpuMirrorPadFix: KernelFix = {
  id: 'webgpu:MirrorPad',
  kernelName: 'MirrorPad',
  backendName,
  description: 'stock shader is invalid WGSL at rank ≥ 5; collapses to rank ≤ 4 (or one dimension at a time) and reuses it.',
  kernelFunc: mirrorPadKernel,
};
