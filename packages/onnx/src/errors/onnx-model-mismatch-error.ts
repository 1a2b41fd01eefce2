import { RecaError } from '@reca/runtime';

const name = 'RECA_OnnxModelMismatchError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * An ONNX model does not fit what an understanding encoder needs: an image input that is not a float32 rank-4
 * tensor, a requested output the model does not have, an output of a rank or dtype no encoder produces (the model is
 * not an encoder), extra inputs that cannot be fed, or a run whose output contradicts the model's declared shape.
 * Names the model file and the tensor, with expected and actual.
 */
export class OnnxModelMismatchError extends RecaError {
  private readonly [symbol] = true;
  /** The model file (or the name given to an in-memory model). */
  readonly modelName: string;
  /** The model's tensor (input or output name) the problem is about. */
  readonly tensorName: string;
  /** What an encoder needs, in words. */
  readonly expected: string;
  /** What the model has, in words. */
  readonly actual: string;

  constructor({
    modelName,
    tensorName,
    expected,
    actual,
    hint,
    cause,
  }: {
    modelName: string;
    tensorName: string;
    expected: string;
    actual: string;
    /** A sentence on what to do about it. */
    hint?: string;
    cause?: unknown;
  }) {
    super({
      name,
      message: `ONNX model '${modelName}', tensor '${tensorName}': expected ${expected}, got ${actual}${hint ? `. ${hint}` : ''}`,
      cause,
    });
    this.modelName = modelName;
    this.tensorName = tensorName;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is OnnxModelMismatchError {
    return RecaError.hasMarker(error, marker);
  }
}
