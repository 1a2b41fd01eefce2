import { RecaError } from '@reca/runtime';

const name = 'RECA_SceneSamplingError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** No scene satisfying the request could be found within the attempt budget (e.g. too many large objects for the canvas). */
export class SceneSamplingError extends RecaError {
  private readonly [symbol] = true;
  readonly attempts: number;

  constructor({ request, attempts }: { request: string; attempts: number }) {
    super({ name, message: `could not sample a scene for ${request} in ${attempts} attempts (canvas too small or requirements contradictory?)` });
    this.attempts = attempts;
  }

  static override isInstance(error: unknown): error is SceneSamplingError {
    return RecaError.hasMarker(error, marker);
  }
}
