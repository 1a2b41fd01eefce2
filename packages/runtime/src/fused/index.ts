export { fusedKernelNames, type FusedKernelName } from './fused-kernel-names.js';
export { hasFusedKernel, runFusedKernel, type FusedKernelAttribute } from './has-fused-kernel.js';
