import { parseQueuedFailure } from '../native/torch-addon.js';
import { TorchKernelError } from './torch-kernel-error.js';

/**
 * The {@link TorchKernelError} for an addon error thrown while running `kernelName` (or reading, or synchronizing): a
 * failure of a kernel queued earlier names that kernel, not the call that reported it.
 * @param reporter - what reported a queued failure, for the message: `"the next call, 'Add'"`, `'synchronize'`, …
 */
export function torchKernelErrorOf(kernelName: string, message: string, cause: unknown, reporter: string): TorchKernelError {
  const queued = parseQueuedFailure(message);
  if (queued === undefined) return new TorchKernelError({ kernelName, message, cause });
  return new TorchKernelError({
    kernelName: queued.kernelName,
    message: `${queued.reason} (ran asynchronously; reported by ${reporter}; execution 'synchronous' throws at the failing call)`,
    cause,
  });
}
