import { RecaError } from '@reca/runtime';

const name = 'RECA_UnknownPredictionTypeError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A flow-matching schedule was asked for the target of a prediction type it does not know (e.g. `'v_prediction'`,
 * a DDPM name, instead of `'flow'`). The message names the type and the supported ones.
 */
export class UnknownPredictionTypeError extends RecaError {
  private readonly [symbol] = true;
  /** The prediction type that was asked for. */
  readonly predictionType: string;
  /** The prediction types the schedule supports. */
  readonly supported: readonly string[];

  constructor({ predictionType, supported, context }: { predictionType: string; supported: readonly string[]; context: string }) {
    super({
      name,
      message: `${context}: unknown prediction type '${predictionType}' (supported: ${supported.map((type) => `'${type}'`).join(', ')})`,
    });
    this.predictionType = predictionType;
    this.supported = [...supported];
  }

  static override isInstance(error: unknown): error is UnknownPredictionTypeError {
    return RecaError.hasMarker(error, marker);
  }
}
