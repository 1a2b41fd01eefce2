import { RecaError } from './reca-error.js';

const name = 'RECA_ShapeMismatchError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A tensor does not have the shape a function needs. Carries the tensor's name, the expected and the actual shape. */
export class ShapeMismatchError extends RecaError {
  private readonly [symbol] = true;
  readonly tensorName: string;
  /** Expected shape; `null` entries mean "any size". */
  readonly expected: ReadonlyArray<number | null>;
  readonly actual: readonly number[];

  constructor({
    tensorName,
    expected,
    actual,
    context,
  }: {
    tensorName: string;
    expected: ReadonlyArray<number | null>;
    actual: readonly number[];
    context?: string;
  }) {
    const shown = `[${expected.map((size) => (size == null ? '*' : String(size))).join(', ')}]`;
    super({
      name,
      message: `${context ? `${context}: ` : ''}tensor '${tensorName}' has shape [${actual.join(', ')}], expected ${shown}`,
    });
    this.tensorName = tensorName;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is ShapeMismatchError {
    return RecaError.hasMarker(error, marker);
  }
}
