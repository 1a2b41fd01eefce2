import { RecaError } from '@reca/runtime';

const name = 'RECA_NonFiniteGradientError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** How many parameter names the message lists before it abbreviates (the `parameterNames` field keeps them all). */
const namesShown = 8;

/** Gradients of some parameters contain NaN or ±Infinity. Carries the step and the names of those parameters. */
export class NonFiniteGradientError extends RecaError {
  private readonly [symbol] = true;
  /** Optimisation step whose gradients were checked (counted from 1: the step that would have been applied; recaStep reports `state.step + 1`). */
  readonly step: number;
  /** Names of the parameters whose gradient holds at least one NaN or ±Infinity. */
  readonly parameterNames: readonly string[];

  constructor({ step, parameterNames, cause }: { step: number; parameterNames: readonly string[]; cause?: unknown }) {
    const shown = parameterNames.slice(0, namesShown).map((parameterName) => `'${parameterName}'`).join(', ');
    const more = parameterNames.length > namesShown ? ` and ${parameterNames.length - namesShown} more` : '';
    super({
      name,
      message: `non-finite gradient (NaN or Infinity) at step ${step} for ${parameterNames.length} parameter(s): ${shown}${more}`,
      cause,
    });
    this.step = step;
    this.parameterNames = [...parameterNames];
  }

  static override isInstance(error: unknown): error is NonFiniteGradientError {
    return RecaError.hasMarker(error, marker);
  }
}
