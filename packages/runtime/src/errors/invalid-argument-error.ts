import { RecaError } from './reca-error.js';

const name = 'RECA_InvalidArgumentError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A function received an argument it cannot use. The message names the argument and what was expected. */
export class InvalidArgumentError extends RecaError {
  private readonly [symbol] = true;
  readonly argument: string;

  constructor({ argument, message, cause }: { argument: string; message: string; cause?: unknown }) {
    super({ name, message: `Invalid argument '${argument}': ${message}`, cause });
    this.argument = argument;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return RecaError.hasMarker(error, marker);
  }
}
