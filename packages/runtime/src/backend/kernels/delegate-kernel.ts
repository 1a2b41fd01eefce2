import { tf } from '../../tf.js';
import { getStockKernel } from './stock-kernels.js';
import type { KernelParameters } from './wasm-kernel-io.js';

/**
 * Helpers for kernel fixes that rewrite a call and delegate to the backend's own kernels (no engine round-trip, so
 * nothing is recorded on a gradient tape and intermediate results are freed here).
 */

/** Runs the backend's stock kernel that a fix replaced; throws when the backend never had one. */
export function runStockKernel(
  backendName: string,
  kernelName: string,
  parameters: KernelParameters,
): tf.TensorInfo {
  const stock = getStockKernel(backendName, kernelName);
  if (stock === undefined) {
    throw new Error(`kernel fix ${backendName}:${kernelName} has no stock kernel to delegate to (was it registered?)`);
  }
  return stock.kernelFunc(parameters) as tf.TensorInfo;
}

/** Runs the currently registered kernel `kernelName` of `backendName` (e.g. `Reshape`). */
export function runRegisteredKernel(backendName: string, kernelName: string, parameters: KernelParameters): tf.TensorInfo {
  const config = tf.getKernel(kernelName, backendName);
  if (config === undefined) throw new Error(`backend '${backendName}' has no kernel '${kernelName}'`);
  return config.kernelFunc(parameters) as tf.TensorInfo;
}

/** Reshapes `x` with the backend's own Reshape kernel. The caller disposes the result with {@link disposeTensorInfo}. */
export function reshapeTensorInfo(
  backendName: string,
  backend: KernelParameters['backend'],
  x: tf.TensorInfo,
  shape: number[],
): tf.TensorInfo {
  return runRegisteredKernel(backendName, 'Reshape', { inputs: { x }, backend, attrs: { shape } });
}

/** Frees an intermediate result of a kernel (decrements the backend's reference count of its data). */
export function disposeTensorInfo(backend: KernelParameters['backend'], info: tf.TensorInfo): void {
  (backend as tf.KernelBackend).disposeData(info.dataId);
}

/**
 * Runs `operation` on `x` viewed with `inputShape`, then views the result with `outputShape`. Frees the
 * intermediates; the engine owns the returned tensor.
 */
export function runOnReshaped(
  backendName: string,
  backend: KernelParameters['backend'],
  x: tf.TensorInfo,
  inputShape: number[],
  outputShape: number[],
  operation: (reshaped: tf.TensorInfo) => tf.TensorInfo,
): tf.TensorInfo {
  const reshaped = reshapeTensorInfo(backendName, backend, x, inputShape);
  const result = operation(reshaped);
  disposeTensorInfo(backend, reshaped);
  const output = reshapeTensorInfo(backendName, backend, result, outputShape);
  disposeTensorInfo(backend, result);
  return output;
}
