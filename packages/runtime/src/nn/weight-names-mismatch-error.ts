import { RecaError } from '../errors/reca-error.js';

const name = 'RECA_WeightNamesMismatchError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Strict weight loading found parameters with no weight (`missing`) or weights with no parameter (`unexpected`).
 * The message lists both (the first 20 of each).
 */
export class WeightNamesMismatchError extends RecaError {
  private readonly [symbol] = true;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];

  constructor({ missing, unexpected, context }: { missing: readonly string[]; unexpected: readonly string[]; context?: string }) {
    const list = (names: readonly string[]) =>
      names.length === 0 ? 'none' : names.slice(0, 20).join(', ') + (names.length > 20 ? `, … (${names.length} in all)` : '');
    super({
      name,
      message: `${context ? `${context}: ` : ''}weight names do not match the parameters: missing [${list(missing)}]; unexpected [${list(unexpected)}]`,
    });
    this.missing = missing;
    this.unexpected = unexpected;
  }

  static override isInstance(error: unknown): error is WeightNamesMismatchError {
    return RecaError.hasMarker(error, marker);
  }
}
