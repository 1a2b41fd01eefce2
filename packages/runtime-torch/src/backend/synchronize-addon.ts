import { torchKernelErrorOf } from '../errors/torch-kernel-error-of.js';
import type { TorchAddon } from '../native/torch-addon.js';

/**
 * Waits for every queued kernel and the device's queued work; a queued kernel's failure is thrown as the
 * `TorchKernelError` naming that kernel.
 */
export function synchronizeAddon(addon: TorchAddon): void {
  try {
    addon.synchronize();
  } catch (error) {
    throw torchKernelErrorOf('synchronize', error instanceof Error ? error.message : String(error), error, 'synchronize');
  }
}
