/**
 * Test support: whether the libtorch addon is available, so native tests can be skipped with a clear reason on a
 * machine without libtorch (the package's tests still pass there). When `RECA_REQUIRE_BACKENDS` lists `torch` (CI
 * with libtorch installed), an unavailable addon fails instead.
 */
import { TorchAddonUnavailableError } from '../errors/torch-addon-unavailable-error.js';
import { defaultAddonPath, loadTorchAddon } from '../native/load-torch-addon.js';

/** Availability of the native addon in this process. */
export interface NativeAvailability {
  readonly available: boolean;
  /** Why it is unavailable (absent when available). */
  readonly reason?: string;
  /** `RECA_REQUIRE_BACKENDS` includes `torch`: an unavailable addon must fail the tests. */
  readonly required: boolean;
}

/** Probes the addon once (loading it). */
export function nativeAvailability(environment: Readonly<Record<string, string | undefined>> = process.env): NativeAvailability {
  const required = (environment['RECA_REQUIRE_BACKENDS'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .includes('torch');
  try {
    loadTorchAddon(defaultAddonPath(environment));
    return { available: true, required };
  } catch (error) {
    const reason = TorchAddonUnavailableError.isInstance(error) ? error.reason : error instanceof Error ? error.message : String(error);
    return { available: false, reason, required };
  }
}
