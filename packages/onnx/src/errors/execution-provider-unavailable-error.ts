import { RecaError } from '@reca/runtime';

const name = 'RECA_ExecutionProviderUnavailableError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * An ONNX Runtime execution provider was asked for (`'webgpu'`, `'cuda'`, …) but this installation of
 * `onnxruntime-node` cannot provide it here; the message says which was asked for, for which model, and why.
 */
export class ExecutionProviderUnavailableError extends RecaError {
  private readonly [symbol] = true;
  /** The provider that was asked for. */
  readonly executionProvider: string;
  readonly reason: string;

  constructor({ executionProvider, modelName, reason, cause }: { executionProvider: string; modelName: string; reason: string; cause?: unknown }) {
    super({ name, message: `ONNX Runtime execution provider '${executionProvider}' (asked for by model '${modelName}') is unavailable: ${reason}`, cause });
    this.executionProvider = executionProvider;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is ExecutionProviderUnavailableError {
    return RecaError.hasMarker(error, marker);
  }
}
