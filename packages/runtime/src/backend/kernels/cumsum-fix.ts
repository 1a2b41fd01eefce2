import type { tf } from '../../tf.js';
import { disposeTensorInfo, runRegisteredKernel, runStockKernel } from './delegate-kernel.js';
import type { KernelFix } from './kernel-fix.js';
import type { KernelParameters } from './wasm-kernel-io.js';

/** The Cumsum attributes with a non-negative axis. */
function normalizedAttrs(x: tf.TensorInfo, attrs: KernelParameters['attrs']): tf.CumsumAttrs {
  const { axis, exclusive, reverse } = attrs as unknown as tf.CumsumAttrs;
  return { axis: axis < 0 ? axis + x.shape.length : axis, exclusive, reverse };
}

/**
 * cpu and wasm: the stock kernels mishandle a negative axis (cpu: shape error; wasm: out-of-bounds read with
 * `reverse`). Normalise the axis, then run the stock kernel.
 */
function createAxisNormalizingCumsum(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs['x'] as tf.TensorInfo;
    return runStockKernel(backendName, 'Cumsum', { inputs, backend, attrs: { ...normalizedAttrs(x, attrs) } });
  };
}

/**
 * webgpu: the stock kernel fails for a negative axis (buffer creation error) and gives wrong sums with
 * `reverse: true` on every axis. Normalise the axis, and compute a reverse cumsum as reverse → forward cumsum →
 * reverse (with the registered, rank-safe Reverse kernel).
 */
function webGpuCumsumKernel({ inputs, backend, attrs }: KernelParameters): tf.TensorInfo {
  const x = inputs['x'] as tf.TensorInfo;
  const { axis, exclusive, reverse } = normalizedAttrs(x, attrs);
  if (!reverse) return runStockKernel('webgpu', 'Cumsum', { inputs, backend, attrs: { axis, exclusive, reverse } });
  const reversed = runRegisteredKernel('webgpu', 'Reverse', { inputs: { x }, backend, attrs: { dims: [axis] } });
  const summed = runStockKernel('webgpu', 'Cumsum', { inputs: { x: reversed }, backend, attrs: { axis, exclusive, reverse: false } });
  disposeTensorInfo(backend, reversed);
  const output = runRegisteredKernel('webgpu', 'Reverse', { inputs: { x: summed }, backend, attrs: { dims: [axis] } });
  disposeTensorInfo(backend, summed);
  return output;
}

/** See {@link createAxisNormalizingCumsum}. */
export const cpuCumsumFix: KernelFix = {
  id: 'cpu:Cumsum',
  kernelName: 'Cumsum',
  backendName: 'cpu',
  description: 'stock kernel throws for a negative axis (shape error); the axis is normalised.',
  kernelFunc: createAxisNormalizingCumsum('cpu'),
};

/** See {@link createAxisNormalizingCumsum}. */
export const wasmCumsumFix: KernelFix = {
  id: 'wasm:Cumsum',
  kernelName: 'Cumsum',
  backendName: 'wasm',
  description: 'stock kernel reads out of bounds for a negative axis with reverse; the axis is normalised.',
  kernelFunc: createAxisNormalizingCumsum('wasm'),
};

/** See {@link webGpuCumsumKernel}. */
export const webGpuCumsumFix: KernelFix = {
  id: 'webgpu:Cumsum',
  kernelName: 'Cumsum',
  backendName: 'webgpu',
  description: 'stock kernel is wrong with reverse: true and fails for negative axes; uses reverse + forward cumsum.',
  kernelFunc: webGpuCumsumKernel,
};
