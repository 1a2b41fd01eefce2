import { tf } from '../tf.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import type { BackendName } from './backend-name.js';
import type { AdapterReport } from './backend-report.js';
import { registerGradientFixes } from './gradients/register-gradient-fixes.js';
import { registerKernelFixes } from './kernels/register-kernel-fixes.js';
import type { PrepareBackendOptions } from './loaders/backend-preparation.js';
import { prepareBackend } from './prepare-backend.js';

/** A backend made active by {@link useBackend}. */
export interface ActiveBackend {
  readonly backend: BackendName;
  /** Name of the backend in tfjs's registry (what `tf.getBackend()` returns now). */
  readonly tfBackendName: string;
  readonly device: string;
  readonly adapter?: AdapterReport;
  /** Ids of the kernel fixes registered for it, then the (backend-independent) gradient fixes. */
  readonly kernelFixes: readonly string[];
}

/**
 * Prepares `backend`, registers its kernel fixes and the gradient fixes, and makes it the active tfjs backend
 * (`tf.setBackend` + `tf.ready`). Tests and parity checks call it to switch between backends in one process;
 * switching back and forth is cheap after the first time.
 * @throws BackendUnavailableError when the backend cannot be loaded or initialised here, with the reason.
 */
export async function useBackend(backend: BackendName, options: PrepareBackendOptions = {}): Promise<ActiveBackend> {
  const preparation = await prepareBackend(backend, options);
  if (!preparation.available) {
    throw new BackendUnavailableError({ backend, reason: preparation.reason, cause: preparation.cause });
  }
  const kernelFixes = [...registerKernelFixes(backend, preparation.tfBackendName), ...registerGradientFixes()];
  let activated: boolean;
  try {
    activated = await tf.setBackend(preparation.tfBackendName);
    await tf.ready();
  } catch (error) {
    throw new BackendUnavailableError({
      backend,
      reason: `tf.setBackend('${preparation.tfBackendName}') failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  if (!activated || tf.getBackend() !== preparation.tfBackendName) {
    throw new BackendUnavailableError({
      backend,
      reason: `tf.setBackend('${preparation.tfBackendName}') could not initialise the backend (tfjs logged the cause as a warning)`,
    });
  }
  return {
    backend,
    tfBackendName: preparation.tfBackendName,
    device: await preparation.describeDevice(),
    ...(preparation.adapter === undefined ? {} : { adapter: preparation.adapter }),
    kernelFixes,
  };
}
