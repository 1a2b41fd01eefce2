import { RecaError } from '@reca/runtime';

const name = 'RECA_TorchCudaUnavailableError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A CUDA device was asked for (`device: 'cuda'`, `'cuda:N'` or `RECA_TORCH_DEVICE`) but the linked libtorch cannot use one. */
export class TorchCudaUnavailableError extends RecaError {
  private readonly [symbol] = true;
  /** The device that was asked for, e.g. `'cuda:1'`. */
  readonly requested: string;
  /** Why it is unavailable, e.g. `'libtorch 1.13.0 was built without CUDA'`. */
  readonly reason: string;

  constructor({ requested, reason }: { requested: string; reason: string }) {
    super({ name, message: `Device '${requested}' was requested but CUDA is unavailable: ${reason}` });
    this.requested = requested;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is TorchCudaUnavailableError {
    return RecaError.hasMarker(error, marker);
  }
}
