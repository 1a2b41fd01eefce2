import type { tf } from '../../tf.js';
import { disposeTensorInfo, runStockKernel } from './delegate-kernel.js';
import type { KernelFix } from './kernel-fix.js';
import type { KernelParameters } from './wasm-kernel-io.js';

const backendName = 'webgpu';

/**
 * Most inputs one stock AddN shader may read: WebGPU guarantees 8 storage buffers per shader stage, and the output
 * takes one of them.
 */
export const maximumAddNInputsPerShader = 7;

/** AddN for WebGPU with any number of inputs: the stock shader on groups of at most 7, chained. */
function addNKernel(parameters: KernelParameters): tf.TensorInfo {
  const { backend } = parameters;
  const tensors = parameters.inputs as unknown as tf.TensorInfo[];
  if (tensors.length <= maximumAddNInputsPerShader) return runStockKernel(backendName, 'AddN', parameters);
  let partial = runStockKernel(backendName, 'AddN', {
    inputs: tensors.slice(0, maximumAddNInputsPerShader) as unknown as tf.NamedTensorInfoMap,
    backend,
    attrs: {},
  });
  for (let start = maximumAddNInputsPerShader; start < tensors.length; start += maximumAddNInputsPerShader - 1) {
    const group = [partial, ...tensors.slice(start, start + maximumAddNInputsPerShader - 1)];
    const next = runStockKernel(backendName, 'AddN', { inputs: group as unknown as tf.NamedTensorInfoMap, backend, attrs: {} });
    disposeTensorInfo(backend, partial);
    partial = next;
  }
  return partial;
}

/**
 * tfjs-backend-webgpu 4.22's AddN binds one storage buffer per input; past the device's limit (8 per stage on
 * lavapipe: 7 inputs + the output) Dawn rejects the pipeline and the kernel silently returns a stale buffer — a sum
 * of 9 gradient norms came back as the sum of the previous 7-input call.
 */
export const webGpuAddNFix: KernelFix = {
  id: 'webgpu:AddN',
  kernelName: 'AddN',
  backendName,
  description: 'stock shader silently fails with more than 7 inputs; sums groups of at most 7 and chains them.',
  kernelFunc: addNKernel,
};
