import { RecaError } from '@reca/runtime';

const name = 'RECA_CliUsageError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** The command line itself is wrong: unknown command or flag, a missing flag, a bad flag value. Exit status 2. */
export class CliUsageError extends RecaError {
  private readonly [symbol] = true;
  /** The command the error is about, e.g. `shapes generate`; empty for the top level. */
  readonly command: string;

  constructor({ command, message }: { command: string; message: string }) {
    super({ name, message: `${command ? `${command}: ` : ''}${message}` });
    this.command = command;
  }

  static override isInstance(error: unknown): error is CliUsageError {
    return RecaError.hasMarker(error, marker);
  }
}
