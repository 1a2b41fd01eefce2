import { RecaError } from '@reca/runtime';

const name = 'RECA_CorruptCheckpointError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A checkpoint file exists but cannot be used: it is not valid safetensors, or a tensor or a required metadata entry
 * is missing or malformed. Carries the path and a problem code; `cause` holds the underlying error when there is one.
 */
export class CorruptCheckpointError extends RecaError {
  private readonly [symbol] = true;
  readonly path: string;
  /** Short stable code, e.g. `'missing-metadata'` or a {@link SafetensorsFormatError} problem code. */
  readonly problem: string;

  constructor({ path, problem, detail, cause }: { path: string; problem: string; detail: string; cause?: unknown }) {
    super({ name, message: `Corrupt checkpoint '${path}': ${detail}`, cause });
    this.path = path;
    this.problem = problem;
  }

  static override isInstance(error: unknown): error is CorruptCheckpointError {
    return RecaError.hasMarker(error, marker);
  }
}
