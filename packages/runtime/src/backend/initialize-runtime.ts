import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import { backendNames, type BackendName } from './backend-name.js';
import type { BackendReport, SkippedBackend } from './backend-report.js';
import { resolveBackendRequest } from './resolve-backend-request.js';
import { useBackend } from './use-backend.js';

/** Options of {@link initializeRuntime}. */
export interface InitializeRuntimeOptions {
  /**
   * The backend to use, or `'auto'` for the best available one (torch → tensorflow → webgpu → wasm → cpu). When
   * unset, `RECA_BACKEND` decides, else auto. @default 'auto' (after `RECA_BACKEND`)
   */
  readonly backend?: BackendName | 'auto';
  /**
   * Accept a software WebGPU adapter (lavapipe/llvmpipe/SwiftShader: correct but slow, for CI). When unset,
   * `RECA_ALLOW_SOFTWARE_ADAPTER` decides. @default false
   */
  readonly allowSoftwareAdapter?: boolean;
  /** Where `RECA_BACKEND` and `RECA_ALLOW_SOFTWARE_ADAPTER` are read. @default process.env */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/**
 * Chooses and activates the tensor backend (option > `RECA_BACKEND` > auto order), registers the backend's kernel
 * fixes and reports what was chosen and why. Repeatable: a later call switches the backend.
 * @throws InvalidArgumentError for an unknown backend name (option or `RECA_BACKEND`).
 * @throws BackendUnavailableError when an explicitly requested backend cannot be used (auto mode falls through).
 */
export async function initializeRuntime(options: InitializeRuntimeOptions = {}): Promise<BackendReport> {
  const request = resolveBackendRequest({
    backend: options.backend,
    allowSoftwareAdapter: options.allowSoftwareAdapter,
    environment: options.environment ?? process.env,
  });
  const prepareOptions = { allowSoftwareAdapter: request.allowSoftwareAdapter };
  if (request.backend !== 'auto') {
    const active = await useBackend(request.backend, prepareOptions);
    return { ...active, reason: request.description, skipped: [] };
  }
  const skipped: SkippedBackend[] = [];
  for (const backend of backendNames) {
    try {
      const active = await useBackend(backend, prepareOptions);
      const reason = skipped.length === 0 ? `${request.description}` : `${request.description} (first usable in the order)`;
      return { ...active, reason, skipped };
    } catch (error) {
      if (!BackendUnavailableError.isInstance(error)) throw error;
      skipped.push({ backend, reason: error.reason });
    }
  }
  // Unreachable in practice: the cpu backend is always registered by @tensorflow/tfjs.
  throw new BackendUnavailableError({
    backend: 'cpu',
    reason: `no backend could be initialised: ${skipped.map((entry) => `${entry.backend}: ${entry.reason}`).join('; ')}`,
  });
}
