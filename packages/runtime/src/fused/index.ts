export { fusedKernelNames, type FusedKernelName } from './fused-kernel-names.js';
export { hasFusedKernel, runFusedKernel } from './has-fused-kernel.js';
