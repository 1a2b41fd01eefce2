/**
 * Makes a tfjs backend active for the benchmarks and exporters, the way an application would: `useBackend` from
 * @reca/runtime (kernel and gradient fixes included). For `torch` this package's backend is registered first with
 * `torchOptions` (the first registration in a process wins) and announced, so @reca/runtime finds it.
 */
import { useBackend, type BackendName } from '@reca/runtime';
import '../src/announce-module.js';
import { registerTorchBackend } from '../src/register-torch-backend.js';
import type { TorchBackendOptions } from '../src/torch-backend-options.js';

/** @returns the backend's device description. */
export async function activateBenchBackend(backend: BackendName, torchOptions: TorchBackendOptions = {}): Promise<string> {
  if (backend === 'torch') await registerTorchBackend(torchOptions);
  return (await useBackend(backend, { allowSoftwareAdapter: true })).device;
}
