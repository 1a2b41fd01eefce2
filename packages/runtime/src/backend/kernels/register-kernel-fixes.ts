import { tf } from '../../tf.js';
import type { BackendName } from '../backend-name.js';
import { cpuCumsumFix, wasmCumsumFix, webGpuCumsumFix } from './cumsum-fix.js';
import type { KernelFix } from './kernel-fix.js';
import { forgetStockKernel, getStockKernel, rememberStockKernel } from './stock-kernels.js';
import { wasmBatchMatMulFix, wasmFusedMatMulFix } from './wasm-batch-mat-mul.js';
import { wasmConv2dBackpropFilterFix } from './wasm-conv2d-backprop-filter.js';
import { wasmDepthwiseConv2dBackpropFilterFix, wasmDepthwiseConv2dBackpropInputFix } from './wasm-depthwise-conv2d-backprop.js';
import { wasmUnsortedSegmentSumFix } from './wasm-unsorted-segment-sum.js';
import { webGpuAddNFix } from './webgpu-add-n.js';
import { webGpuMirrorPadFix } from './webgpu-mirror-pad.js';
import { webGpuPadV2Fix } from './webgpu-pad-v2.js';
import { webGpuReverseFix } from './webgpu-reverse.js';

/** The kernel fixes of each backend (found by the parity suite in `backend/parity/`). */
export const kernelFixesByBackend: Readonly<Record<BackendName, readonly KernelFix[]>> = {
  torch: [],
  tensorflow: [],
  webgpu: [webGpuPadV2Fix, webGpuMirrorPadFix, webGpuReverseFix, webGpuCumsumFix, webGpuAddNFix],
  wasm: [
    wasmBatchMatMulFix,
    wasmFusedMatMulFix,
    wasmUnsortedSegmentSumFix,
    wasmConv2dBackpropFilterFix,
    wasmDepthwiseConv2dBackpropFilterFix,
    wasmDepthwiseConv2dBackpropInputFix,
    wasmCumsumFix,
  ],
  cpu: [cpuCumsumFix],
};

/**
 * Registers the kernel fixes of `backend` with `tf.registerKernel` (the backend's own kernel, if any, is unregistered
 * first and kept for delegation and {@link unregisterKernelFixes}). Idempotent: a fix already registered is left
 * alone. Works before or after the backend is initialised.
 * @param backend - which fixes to register.
 * @param tfBackendName - the name the backend is registered under in tfjs. @default backend
 * @returns the ids of all fixes now active for the backend, e.g. `['wasm:UnsortedSegmentSum', …]`.
 */
export function registerKernelFixes(backend: BackendName, tfBackendName: string = backend): string[] {
  const active: string[] = [];
  for (const fix of kernelFixesByBackend[backend]) {
    const current = tf.getKernel(fix.kernelName, tfBackendName);
    if (current?.kernelFunc !== fix.kernelFunc) {
      if (current !== undefined) {
        rememberStockKernel(current);
        tf.unregisterKernel(fix.kernelName, tfBackendName);
      }
      // Keep the stock kernel's setup/dispose hooks: wasm binds its native functions in setupFunc, which fixes that
      // delegate to the stock kernel rely on (it runs when the backend initialises).
      tf.registerKernel({
        kernelName: fix.kernelName,
        backendName: tfBackendName,
        kernelFunc: fix.kernelFunc,
        ...(current?.setupFunc === undefined ? {} : { setupFunc: current.setupFunc }),
        ...(current?.disposeFunc === undefined ? {} : { disposeFunc: current.disposeFunc }),
      });
    }
    active.push(fix.id);
  }
  return active;
}

/**
 * Removes the kernel fixes of `backend` and restores the backend's own kernels (tests use it to show a bug the fix
 * hides). Idempotent.
 * @param tfBackendName - the name the backend is registered under in tfjs. @default backend
 */
export function unregisterKernelFixes(backend: BackendName, tfBackendName: string = backend): void {
  for (const fix of kernelFixesByBackend[backend]) {
    const current = tf.getKernel(fix.kernelName, tfBackendName);
    if (current?.kernelFunc !== fix.kernelFunc) continue;
    tf.unregisterKernel(fix.kernelName, tfBackendName);
    const stock = getStockKernel(tfBackendName, fix.kernelName);
    if (stock !== undefined) {
      tf.registerKernel(stock);
      forgetStockKernel(tfBackendName, fix.kernelName);
    }
  }
}
