import type { tf } from '../../tf.js';

/** The kernels that kernel fixes replaced, by `'<backend>:<KernelName>'`, so fixes can delegate to or restore them. */
const stockKernels = new Map<string, tf.KernelConfig>();

/** Remembers the backend's own kernel before a fix replaces it. */
export function rememberStockKernel(config: tf.KernelConfig): void {
  stockKernels.set(`${config.backendName}:${config.kernelName}`, config);
}

/** The backend's own kernel that a fix replaced, or `undefined` when the backend had none. */
export function getStockKernel(backendName: string, kernelName: string): tf.KernelConfig | undefined {
  return stockKernels.get(`${backendName}:${kernelName}`);
}

/** Forgets a remembered stock kernel (after it was restored). */
export function forgetStockKernel(backendName: string, kernelName: string): void {
  stockKernels.delete(`${backendName}:${kernelName}`);
}
