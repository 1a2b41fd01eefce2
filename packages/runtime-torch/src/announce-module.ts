import { registerTorchBackend } from './register-torch-backend.js';

/**
 * Key under which this package announces itself on `globalThis` (the same `Symbol.for` key `@reca/runtime` reads),
 * so `@reca/runtime` finds the backend once this module is loaded, even where it cannot resolve the package (pnpm's
 * isolated layout, bundles).
 */
export const torchBackendModuleKey = Symbol.for('reca.runtime-torch.module');

(globalThis as Record<symbol, unknown>)[torchBackendModuleKey] = { registerTorchBackend };
