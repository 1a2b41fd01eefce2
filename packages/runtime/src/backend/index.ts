/**
 * Backend layer of @reca/runtime: resolution (torch → tensorflow → webgpu → wasm → cpu), reporting, and the kernel
 * fixes that let every backend train every adapter.
 */
export { backendNames, isBackendName, type BackendName } from './backend-name.js';
export type { AdapterReport, BackendReport, SkippedBackend } from './backend-report.js';
export { initializeRuntime, type InitializeRuntimeOptions } from './initialize-runtime.js';
export { useBackend, type ActiveBackend } from './use-backend.js';
export { listAvailableBackends, type BackendAvailability } from './list-available-backends.js';
export { formatBackendReport } from './format-backend-report.js';
export {
  resolveBackendRequest,
  backendEnvironmentVariable,
  allowSoftwareAdapterEnvironmentVariable,
  type BackendRequest,
} from './resolve-backend-request.js';
export { prepareBackend } from './prepare-backend.js';
export type { BackendPreparation, PreparedBackend, UnavailableBackend, PrepareBackendOptions } from './loaders/backend-preparation.js';
export type { TorchBackendModule, TorchBackendRegistration } from './loaders/torch-backend-module.js';
export { isSoftwareAdapter, probeWebGpuAdapter, type WebGpuAdapterProbe } from './loaders/webgpu-adapter.js';
export { registerKernelFixes, unregisterKernelFixes, kernelFixesByBackend } from './kernels/register-kernel-fixes.js';
export type { KernelFix } from './kernels/kernel-fix.js';
export { registerGradientFixes, unregisterGradientFixes, gradientFixes } from './gradients/register-gradient-fixes.js';
export type { GradientFix } from './gradients/gradient-fix.js';
