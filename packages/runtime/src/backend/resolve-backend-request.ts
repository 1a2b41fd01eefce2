import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { backendNames, isBackendName, type BackendName } from './backend-name.js';

/** Environment variable that picks the backend (`torch`, `tensorflow`, `webgpu`, `wasm`, `cpu` or `auto`). */
export const backendEnvironmentVariable = 'RECA_BACKEND';
/** Environment variable that accepts software WebGPU adapters (`1`/`true`/`yes` or `0`/`false`/`no`). */
export const allowSoftwareAdapterEnvironmentVariable = 'RECA_ALLOW_SOFTWARE_ADAPTER';

/** Which backend to use, from where the choice came. */
export interface BackendRequest {
  /** A backend name, or `'auto'` to take the best available one. */
  readonly backend: BackendName | 'auto';
  /** `'option'`, `'RECA_BACKEND'` or `'default'`. */
  readonly source: 'option' | 'environment' | 'default';
  /** Human-readable origin, e.g. `"RECA_BACKEND=wasm"`. */
  readonly description: string;
  readonly allowSoftwareAdapter: boolean;
}

const validValues = [...backendNames, 'auto'].join(', ');

/**
 * Resolves the backend request: the `backend` option (unless `'auto'`) beats `RECA_BACKEND`, which beats auto. An
 * unknown value throws {@link InvalidArgumentError} naming the valid values. `allowSoftwareAdapter` comes from the
 * option, else `RECA_ALLOW_SOFTWARE_ADAPTER`, else false.
 */
export function resolveBackendRequest({
  backend,
  allowSoftwareAdapter,
  environment,
}: {
  backend?: string;
  allowSoftwareAdapter?: boolean;
  environment: Readonly<Record<string, string | undefined>>;
}): BackendRequest {
  const allow = allowSoftwareAdapter ?? parseBoolean(environment[allowSoftwareAdapterEnvironmentVariable]);
  if (backend !== undefined && backend !== 'auto') {
    if (!isBackendName(backend)) {
      throw new InvalidArgumentError({
        argument: 'backend',
        message: `unknown backend '${backend}'; valid values: ${validValues}`,
      });
    }
    return { backend, source: 'option', description: `requested by option backend: '${backend}'`, allowSoftwareAdapter: allow };
  }
  const fromEnvironment = environment[backendEnvironmentVariable]?.trim().toLowerCase();
  if (fromEnvironment !== undefined && fromEnvironment !== '' && fromEnvironment !== 'auto' && backend === undefined) {
    if (!isBackendName(fromEnvironment)) {
      throw new InvalidArgumentError({
        argument: backendEnvironmentVariable,
        message: `unknown backend '${environment[backendEnvironmentVariable]}'; valid values: ${validValues}`,
      });
    }
    return {
      backend: fromEnvironment,
      source: 'environment',
      description: `requested by ${backendEnvironmentVariable}=${fromEnvironment}`,
      allowSoftwareAdapter: allow,
    };
  }
  return { backend: 'auto', source: 'default', description: 'auto: best available backend', allowSoftwareAdapter: allow };

  function parseBoolean(value: string | undefined): boolean {
    const normalized = value?.trim().toLowerCase();
    if (normalized === undefined || normalized === '' || normalized === '0' || normalized === 'false' || normalized === 'no') {
      return false;
    }
    if (normalized === '1' || normalized === 'true' || normalized === 'yes') return true;
    throw new InvalidArgumentError({
      argument: allowSoftwareAdapterEnvironmentVariable,
      message: `expected 1/true/yes or 0/false/no, got '${value}'`,
    });
  }
}
