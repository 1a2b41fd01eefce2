import { RecaError } from '@reca/runtime';

const name = 'RECA_NonFiniteLossError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A loss became NaN or ±Infinity during training. Carries the optimisation step, which part of the objective it was
 * (e.g. `'reconstruction'`, `'imageToText'`, `'total'`) and the value read back.
 */
export class NonFiniteLossError extends RecaError {
  private readonly [symbol] = true;
  /** Optimisation step at which the loss was computed (counted from 1: the step that would have been applied; recaStep reports `state.step + 1`). */
  readonly step: number;
  /** Which part of the objective was not finite, e.g. `'reconstruction'`. */
  readonly lossPart: string;
  /** The value read back: `NaN`, `Infinity` or `-Infinity`. */
  readonly value: number;

  constructor({ step, lossPart, value, cause }: { step: number; lossPart: string; value: number; cause?: unknown }) {
    super({ name, message: `loss part '${lossPart}' is ${String(value)} at step ${step}`, cause });
    this.step = step;
    this.lossPart = lossPart;
    this.value = value;
  }

  static override isInstance(error: unknown): error is NonFiniteLossError {
    return RecaError.hasMarker(error, marker);
  }
}
