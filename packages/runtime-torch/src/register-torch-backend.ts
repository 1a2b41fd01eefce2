import { tf as runtimeTf } from '@reca/runtime';
import { resolveShareSavedTensors, shareSavedTensors } from './backend/share-saved-tensors.js';
import { TorchBackend } from './backend/torch-backend.js';
import { describeTorchDevice } from './device/describe-torch-device.js';
import { resolveThreadCounts } from './device/resolve-thread-counts.js';
import { resolveTorchDevice } from './device/resolve-torch-device.js';
import { checkTorchExecution, resolveTorchExecution } from './device/resolve-torch-execution.js';
import { KernelUsage } from './kernels/kernel-usage.js';
import { registerTorchKernels, type KernelRegistry } from './kernels/register-torch-kernels.js';
import { applyOpenMpWaitPolicy, openMpAwakeMicroseconds } from './device/apply-openmp-wait-policy.js';
import { loadTorchAddon } from './native/load-torch-addon.js';
import { reportingQueuedFailures } from './errors/torch-kernel-error-of.js';
import { torchBackendName, torchEnvironmentVariables, type TorchBackendOptions, type TorchExecution } from './torch-backend-options.js';
import type { TorchBackendRegistration } from './torch-backend-registration.js';

/** The parts of the tfjs namespace the registration uses. */
type TfjsRegistry = KernelRegistry & Pick<typeof runtimeTf, 'registerBackend' | 'findBackendFactory' | 'engine'>;

const registryFunctions = ['registerBackend', 'findBackendFactory', 'engine', 'registerKernel', 'getKernel', 'getKernelsForBackend', 'findBackend'];

function resolveRegistry(candidate: unknown): TfjsRegistry {
  if (candidate == null) return runtimeTf;
  const record = candidate as Record<string, unknown>;
  const missing = registryFunctions.filter((name) => typeof record[name] !== 'function');
  if (missing.length > 0) throw new Error(`options.tf is not a TensorFlow.js namespace (missing ${missing.join(', ')})`);
  return candidate as TfjsRegistry;
}

let registration: Promise<TorchBackendRegistration> | undefined;

/**
 * Loads the libtorch addon, selects the device and threads, and registers the tfjs backend `'torch'` with its
 * kernels (native ATen kernels, cpu fallbacks for the rest). Runs once per process: later calls return the first
 * registration and ignore their options. Does not make the backend active (`tf.setBackend('torch')` does).
 *
 * @throws TorchAddonUnavailableError (rejects) when the addon was not built or fails to load.
 * @throws TorchCudaUnavailableError (rejects) when CUDA is requested but unavailable.
 */
export function registerTorchBackend(options: TorchBackendOptions = {}): Promise<TorchBackendRegistration> {
  registration ??= register(options).catch((error: unknown) => {
    registration = undefined;
    throw error;
  });
  return registration;
}

async function register(options: TorchBackendOptions): Promise<TorchBackendRegistration> {
  const registry = resolveRegistry(options.tf);
  const waitPolicy = applyOpenMpWaitPolicy(options.openMpWaitPolicy ?? 'bounded');
  const addon = loadTorchAddon(options.addonPath);
  const offered = addon.info();
  const computeDevice = resolveTorchDevice(options.device ?? process.env[torchEnvironmentVariables.device] ?? 'auto', offered);
  const execution = resolveTorchExecution(options.execution, computeDevice);
  addon.configure({
    device: computeDevice,
    flushDenormals: options.flushDenormals ?? true,
    poolAwakeMicroseconds: openMpAwakeMicroseconds(waitPolicy),
    ...resolveThreadCounts(options, offered),
    asynchronousExecution: execution === 'asynchronous',
  });
  const configured = addon.info();
  // process.exit() tears C++ down without the environment's cleanup hooks: finish queued kernels before that.
  process.once('exit', () => addon.finishQueuedKernels());
  const usage = new KernelUsage(options.warnOnFallback === false ? undefined : (message) => console.warn(message));
  let backend: TorchBackend | undefined;
  if (registry.findBackendFactory(torchBackendName) == null) {
    registry.registerBackend(torchBackendName, () => (backend ??= new TorchBackend(addon, computeDevice, registry.engine())), 0);
  }
  const kernels = registerTorchKernels(registry, torchBackendName, addon, usage);
  const sharesSavedTensors = resolveShareSavedTensors(options.shareSavedTensors) && shareSavedTensors(registry.engine(), torchBackendName) !== undefined;
  return {
    device: describeTorchDevice(computeDevice, configured, waitPolicy),
    get execution(): TorchExecution {
      return addon.info().asynchronousExecution ? 'asynchronous' : 'synchronous';
    },
    setExecution(mode: TorchExecution): void {
      const checked = checkTorchExecution(mode, 'execution');
      // The queue drains first: a queued kernel's failure is reported here.
      reportingQueuedFailures('setExecution', () => addon.setAsynchronousExecution(checked === 'asynchronous'));
    },
    backendName: torchBackendName,
    computeDevice,
    torchVersion: configured.torchVersion,
    threads: configured.threads,
    nativeKernels: kernels.native,
    fallbackKernels: kernels.fallback,
    usage,
    sharesSavedTensors,
    nativeHandleCount: () => addon.liveHandles(),
    synchronize: () => reportingQueuedFailures('synchronize', () => addon.synchronize()),
  };
}
