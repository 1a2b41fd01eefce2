import { RecaError } from '@reca/runtime';

const name = 'RECA_CliInputError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * An input of a command is unusable (a config file with a bad field, a checkpoint of another family, a prompt with
 * words the model does not know, a run folder that cannot be resumed). The message says what is wrong and a hint says
 * what to do, on one line: `… (hint: …)`. Exit status 1.
 */
export class CliInputError extends RecaError {
  private readonly [symbol] = true;
  /** What the user can do about it, e.g. `check --checkpoint, or run reca pretrain first`. */
  readonly hint: string;

  constructor({ message, hint, cause }: { message: string; hint: string; cause?: unknown }) {
    super({ name, message: `${message} (hint: ${hint})`, cause });
    this.hint = hint;
  }

  static override isInstance(error: unknown): error is CliInputError {
    return RecaError.hasMarker(error, marker);
  }
}
