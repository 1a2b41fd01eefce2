import { RecaError } from '@reca/runtime';

const name = 'RECA_ShapesFileError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A line of a prompts file or scenes.jsonl is not valid. Names the file and the 1-based line. */
export class ShapesFileError extends RecaError {
  private readonly [symbol] = true;
  readonly path: string;
  readonly line: number;

  constructor({ path, line, message, cause }: { path: string; line: number; message: string; cause?: unknown }) {
    super({ name, message: `${path} line ${line}: ${message}`, cause });
    this.path = path;
    this.line = line;
  }

  static override isInstance(error: unknown): error is ShapesFileError {
    return RecaError.hasMarker(error, marker);
  }
}
