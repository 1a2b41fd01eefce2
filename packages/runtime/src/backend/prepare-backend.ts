import type { BackendName } from './backend-name.js';
import type { BackendPreparation, PrepareBackendOptions } from './loaders/backend-preparation.js';
import { prepareCpuBackend } from './loaders/prepare-cpu-backend.js';
import { prepareTensorflowBackend } from './loaders/prepare-tensorflow-backend.js';
import { prepareTorchBackend } from './loaders/prepare-torch-backend.js';
import { prepareWasmBackend } from './loaders/prepare-wasm-backend.js';
import { prepareWebGpuBackend } from './loaders/prepare-webgpu-backend.js';

/**
 * Loads `backend`'s package and registers its tfjs factory, without making it active. Never throws: an unusable
 * backend comes back as `{ available: false, reason }`. Repeatable (module loads and adapter probes are cached).
 */
export function prepareBackend(backend: BackendName, options: PrepareBackendOptions = {}): Promise<BackendPreparation> {
  switch (backend) {
    case 'torch':
      return prepareTorchBackend();
    case 'tensorflow':
      return prepareTensorflowBackend();
    case 'webgpu':
      return prepareWebGpuBackend(options);
    case 'wasm':
      return prepareWasmBackend();
    case 'cpu':
      return prepareCpuBackend();
  }
}
