import { RecaError } from '@reca/runtime';

const name = 'RECA_OnnxInputMismatchError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Images given to an ONNX understanding encoder do not fit its model input: wrong rank, channel count, size or dtype.
 * Names the caller's tensor, the model file and the model's input, with expected and actual.
 */
export class OnnxInputMismatchError extends RecaError {
  private readonly [symbol] = true;
  /** The caller's tensor (e.g. `'images'`). */
  readonly tensorName: string;
  /** The model file (or the name given to an in-memory model). */
  readonly modelName: string;
  /** The model input the tensor feeds. */
  readonly inputName: string;
  /** Expected shape (`null` = any size) or dtype, in words. */
  readonly expected: string;
  readonly actual: string;

  constructor({
    tensorName,
    modelName,
    inputName,
    expected,
    actual,
  }: {
    tensorName: string;
    modelName: string;
    inputName: string;
    expected: string;
    actual: string;
  }) {
    super({
      name,
      message: `tensor '${tensorName}' for input '${inputName}' of ONNX model '${modelName}': expected ${expected}, got ${actual}`,
    });
    this.tensorName = tensorName;
    this.modelName = modelName;
    this.inputName = inputName;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is OnnxInputMismatchError {
    return RecaError.hasMarker(error, marker);
  }
}
