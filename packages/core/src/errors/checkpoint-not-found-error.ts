import { RecaError } from '@reca/runtime';

const name = 'RECA_CheckpointNotFoundError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** No file exists at the path a checkpoint (or safetensors file) was to be read from. */
export class CheckpointNotFoundError extends RecaError {
  private readonly [symbol] = true;
  readonly path: string;

  constructor({ path, cause }: { path: string; cause?: unknown }) {
    super({ name, message: `Checkpoint file not found: '${path}'`, cause });
    this.path = path;
  }

  static override isInstance(error: unknown): error is CheckpointNotFoundError {
    return RecaError.hasMarker(error, marker);
  }
}
