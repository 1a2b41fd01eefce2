import { RecaError } from '@reca/runtime';

const name = 'RECA_TorchAddonUnavailableError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The libtorch addon of `@reca/runtime-torch` cannot be loaded: it was not built at install time (no libtorch was
 * found, or the build failed) or it fails to load. The message says why and how to get it.
 */
export class TorchAddonUnavailableError extends RecaError {
  private readonly [symbol] = true;
  /** Where the addon was looked for. */
  readonly addonPath: string;
  /** Why it is unavailable, on one line. */
  readonly reason: string;

  constructor({ addonPath, reason, cause }: { addonPath: string; reason: string; cause?: unknown }) {
    super({ name, message: `The libtorch addon is unavailable (${addonPath}): ${reason}`, cause });
    this.addonPath = addonPath;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is TorchAddonUnavailableError {
    return RecaError.hasMarker(error, marker);
  }
}
