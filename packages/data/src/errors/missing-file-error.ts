import { RecaError } from '@reca/runtime';

const name = 'RECA_MissingFileError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A file or folder that was asked for (or that a captions file refers to) does not exist. */
export class MissingFileError extends RecaError {
  private readonly [symbol] = true;
  /** The path that does not exist. */
  readonly path: string;
  /** Whether a file or a folder was expected. */
  readonly kind: 'file' | 'folder';
  /** Where the path came from, e.g. `captions.jsonl line 4`; absent when the caller asked for it directly. */
  readonly referencedBy?: string;

  constructor({
    path,
    kind = 'file',
    referencedBy,
    cause,
  }: {
    path: string;
    kind?: 'file' | 'folder';
    referencedBy?: string;
    cause?: unknown;
  }) {
    super({
      name,
      message: `${kind} not found: ${path}${referencedBy ? ` (referenced by ${referencedBy})` : ''}`,
      cause,
    });
    this.path = path;
    this.kind = kind;
    this.referencedBy = referencedBy;
  }

  static override isInstance(error: unknown): error is MissingFileError {
    return RecaError.hasMarker(error, marker);
  }
}
