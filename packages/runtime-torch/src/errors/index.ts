export { TorchAddonUnavailableError } from './torch-addon-unavailable-error.js';
export { TorchCudaUnavailableError } from './torch-cuda-unavailable-error.js';
export { TorchKernelError } from './torch-kernel-error.js';
