import { RecaError } from '@reca/runtime';

const name = 'RECA_TokenizerFileError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Why a tokenizer file could not be used.
 * - `not-found`: no file at the path.
 * - `unreadable`: the file exists but reading it failed (permissions, a directory, …).
 * - `invalid-json`: the file is not valid JSON.
 * - `invalid-tokenizer`: the JSON does not describe a tokenizer that can be loaded.
 */
export type TokenizerFileErrorReason = 'not-found' | 'unreadable' | 'invalid-json' | 'invalid-tokenizer';

const reasonTexts: Record<TokenizerFileErrorReason, string> = {
  'not-found': 'not found',
  unreadable: 'could not be read',
  'invalid-json': 'is not valid JSON',
  'invalid-tokenizer': 'is not a usable tokenizer',
};

/** A tokenizer file (e.g. a Hugging Face `tokenizer.json`) is missing, unreadable, not JSON, or not a tokenizer. */
export class TokenizerFileError extends RecaError {
  private readonly [symbol] = true;
  /** The file's path, or a label such as `'<in-memory tokenizer.json>'` when no file was read. */
  readonly path: string;
  readonly reason: TokenizerFileErrorReason;

  constructor({
    path,
    reason,
    detail,
    cause,
  }: {
    path: string;
    reason: TokenizerFileErrorReason;
    /** What exactly is wrong, appended to the message. */
    detail?: string;
    cause?: unknown;
  }) {
    super({
      name,
      message: `Tokenizer file '${path}' ${reasonTexts[reason]}${detail ? `: ${detail}` : ''}`,
      cause,
    });
    this.path = path;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is TokenizerFileError {
    return RecaError.hasMarker(error, marker);
  }
}
