/**
 * @reca/runtime-torch — a TensorFlow.js backend over libtorch (ATen): tensors live in C++ as ATen tensors (on the
 * GPU when the linked libtorch has CUDA), kernels are keyed by tfjs kernel names, and kernels without a native
 * implementation run the cpu backend's kernel. `@reca/runtime` selects it first when its addon loads.
 */
import './announce-module.js';

export { registerTorchBackend } from './register-torch-backend.js';
export { torchBackendModuleKey } from './announce-module.js';
export type { TorchBackendRegistration } from './torch-backend-registration.js';
export {
  torchBackendName,
  torchEnvironmentVariables,
  type TorchBackendOptions,
  type TorchDeviceRequest,
  type TorchExecution,
} from './torch-backend-options.js';
export { TorchBackend, type TorchTensorRecord } from './backend/torch-backend.js';
export { KernelUsage } from './kernels/kernel-usage.js';
export { nativeKernelInputs, type NativeKernelInputs } from './kernels/native-kernel-inputs.js';
export { loadTorchAddon, defaultAddonPath, addonPathEnvironmentVariable } from './native/load-torch-addon.js';
export type { TorchAddon, TorchAddonInfo } from './native/torch-addon.js';
export { resolveTorchDevice, isTorchDeviceRequest } from './device/resolve-torch-device.js';
export { resolveTorchExecution, isTorchExecution } from './device/resolve-torch-execution.js';
export { resolveThreadCounts, type ThreadCounts } from './device/resolve-thread-counts.js';
export { describeTorchDevice } from './device/describe-torch-device.js';
export { applyOpenMpWaitPolicy, boundedSpinCount, type OpenMpWaitPolicy } from './device/apply-openmp-wait-policy.js';
export * from './errors/index.js';
