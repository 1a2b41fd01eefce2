import { backendNames, type BackendName } from './backend-name.js';
import type { PrepareBackendOptions } from './loaders/backend-preparation.js';
import { prepareBackend } from './prepare-backend.js';

/** Whether one backend can be used here, and if not, why. */
export interface BackendAvailability {
  readonly backend: BackendName;
  readonly available: boolean;
  /** Why it is unavailable; absent when available. */
  readonly reason?: string;
}

/**
 * Every backend in resolution order with its availability. Loads the backend packages (registering their tfjs
 * factories) but does not change the active backend; a backend listed as available can still fail to initialise in
 * {@link useBackend} (e.g. a GPU device that cannot be created).
 */
export async function listAvailableBackends(options: PrepareBackendOptions = {}): Promise<BackendAvailability[]> {
  const availability: BackendAvailability[] = [];
  for (const backend of backendNames) {
    const preparation = await prepareBackend(backend, options);
    availability.push(preparation.available ? { backend, available: true } : { backend, available: false, reason: preparation.reason });
  }
  return availability;
}
