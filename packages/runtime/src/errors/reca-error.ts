/**
 * Base class of every error thrown by RecA-TS packages.
 *
 * Errors are recognised by a `Symbol.for` marker rather than `instanceof`, so the check keeps working when two
 * copies of a package are installed side by side. Each subclass has a stable `name` of the form `RECA_<Name>`.
 */
const baseMarker = 'reca.error';
const baseSymbol = Symbol.for(baseMarker);

export interface RecaErrorOptions {
  /** Stable machine-readable name, `RECA_<Name>`. */
  name: string;
  message: string;
  cause?: unknown;
}

export class RecaError extends Error {
  private readonly [baseSymbol] = true;
  override readonly cause?: unknown;

  constructor({ name, message, cause }: RecaErrorOptions) {
    super(message);
    this.name = name;
    this.cause = cause;
  }

  /** True when `error` is any RecA-TS error (from any installed copy of the package). */
  static isInstance(error: unknown): error is RecaError {
    return RecaError.hasMarker(error, baseMarker);
  }

  /** True when `error` carries the marker `Symbol.for(marker)`. Used by subclasses' `isInstance`. */
  protected static hasMarker(error: unknown, marker: string): boolean {
    const markerSymbol = Symbol.for(marker);
    return (
      error != null &&
      typeof error === 'object' &&
      markerSymbol in error &&
      typeof (error as Record<symbol, unknown>)[markerSymbol] === 'boolean' &&
      (error as Record<symbol, unknown>)[markerSymbol] === true
    );
  }
}
