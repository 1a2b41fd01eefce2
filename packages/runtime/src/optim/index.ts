/** Optimisers (PyTorch's `torch.optim` counterparts), using the backend's fused update kernel where it has one. */
export { AdamW, defaultAdamWConfig, type AdamWConfig, type AdamWStateScalars } from './adamw.js';
