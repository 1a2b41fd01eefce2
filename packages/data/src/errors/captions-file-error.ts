import { RecaError } from '@reca/runtime';

const name = 'RECA_CaptionsFileError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A line of a captions JSONL file is not `{"file": string, "caption": string}` (or repeats a file). */
export class CaptionsFileError extends RecaError {
  private readonly [symbol] = true;
  /** The captions file. */
  readonly path: string;
  /** 1-based line number. */
  readonly line: number;

  constructor({ path, line, message, cause }: { path: string; line: number; message: string; cause?: unknown }) {
    super({ name, message: `${path} line ${line}: ${message}`, cause });
    this.path = path;
    this.line = line;
  }

  static override isInstance(error: unknown): error is CaptionsFileError {
    return RecaError.hasMarker(error, marker);
  }
}
