import { RecaError } from '@reca/runtime';

const name = 'RECA_TorchKernelError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A native (ATen) kernel of the `torch` backend failed; the message names the tfjs kernel and ATen's reason. */
export class TorchKernelError extends RecaError {
  private readonly [symbol] = true;
  /** The tfjs kernel name, e.g. `'BatchMatMul'`. */
  readonly kernelName: string;

  constructor({ kernelName, message, cause }: { kernelName: string; message: string; cause?: unknown }) {
    super({ name, message: `torch backend, kernel '${kernelName}': ${message}`, cause });
    this.kernelName = kernelName;
  }

  static override isInstance(error: unknown): error is TorchKernelError {
    return RecaError.hasMarker(error, marker);
  }
}
