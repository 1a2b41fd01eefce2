import { RecaError } from './reca-error.js';

const name = 'RECA_BackendUnavailableError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A tensor backend was asked for (by option or `RECA_BACKEND`) but cannot be used here; the message says why. */
export class BackendUnavailableError extends RecaError {
  private readonly [symbol] = true;
  readonly backend: string;
  readonly reason: string;

  constructor({ backend, reason, cause }: { backend: string; reason: string; cause?: unknown }) {
    super({ name, message: `Backend '${backend}' is unavailable: ${reason}`, cause });
    this.backend = backend;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is BackendUnavailableError {
    return RecaError.hasMarker(error, marker);
  }
}
