import { parseQueuedFailure } from '../native/torch-addon.js';
import { TorchKernelError } from './torch-kernel-error.js';

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The {@link TorchKernelError} naming the queued kernel whose failure `error` reports (from `run`, `read`,
 * `synchronize` or a mode switch); undefined when `error` is not such a report.
 * @param reporter - what reported it, for the message: `"the next call, 'Add'"`, `'synchronize'`, …
 */
export function queuedFailureOf(error: unknown, reporter: string): TorchKernelError | undefined {
  const queued = parseQueuedFailure(errorMessage(error));
  if (queued === undefined) return undefined;
  return new TorchKernelError({
    kernelName: queued.kernelName,
    message: `${queued.reason} (ran asynchronously; reported by ${reporter}; execution 'synchronous' throws at the failing call)`,
    cause: error,
  });
}

/** The {@link TorchKernelError} for an addon error thrown while running `kernelName`: a queued failure names its kernel. */
export function torchKernelErrorOf(kernelName: string, error: unknown, reporter: string): TorchKernelError {
  return queuedFailureOf(error, reporter) ?? new TorchKernelError({ kernelName, message: errorMessage(error), cause: error });
}

/** Runs `operation`'s addon call; any error becomes a TorchKernelError (a queued failure names its kernel). */
export function reportingQueuedFailures<T>(operation: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw torchKernelErrorOf(operation, error, operation);
  }
}
