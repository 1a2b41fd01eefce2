import { tf } from '../../tf.js';
import { describeFailure, type BackendPreparation } from './backend-preparation.js';
import {
  isTorchBackendModule,
  torchBackendModuleSymbol,
  type TorchBackendModule,
  type TorchBackendRegistration,
} from './torch-backend-module.js';

/** The package that provides the libtorch backend; optional, built at install time where libtorch is found. */
export const torchBackendPackage = '@reca/runtime-torch';

let registration: Promise<TorchBackendRegistration> | undefined;

/**
 * Finds `@reca/runtime-torch`: the module this process already loaded (it announces itself on `globalThis`, which
 * covers layouts where `@reca/runtime` cannot resolve its optional sibling, such as pnpm's isolated node_modules and
 * bundles: importing `@reca/runtime-torch` once from the application is enough), else an import from this package.
 */
async function loadTorchBackendModule(): Promise<unknown> {
  const announced = (globalThis as Record<symbol, unknown>)[torchBackendModuleSymbol];
  if (isTorchBackendModule(announced)) return announced;
  // A variable specifier: the package is optional, so neither TypeScript nor bundlers may resolve it statically.
  const specifier: string = torchBackendPackage;
  return await import(specifier);
}

/**
 * The libtorch (ATen) backend from `@reca/runtime-torch`, when that package is installed and its addon loads.
 * `registerTorchBackend` runs once per process.
 */
export async function prepareTorchBackend(): Promise<BackendPreparation> {
  let torchModule: unknown;
  try {
    torchModule = await loadTorchBackendModule();
  } catch (error) {
    return { available: false, reason: `${torchBackendPackage} is not installed (${describeFailure(error)})`, cause: error };
  }
  if (!isTorchBackendModule(torchModule)) {
    return { available: false, reason: `${torchBackendPackage} does not export registerTorchBackend()` };
  }
  const loaded: TorchBackendModule = torchModule;
  registration ??= loaded.registerTorchBackend({ tf });
  let registered: TorchBackendRegistration;
  try {
    registered = await registration;
  } catch (error) {
    registration = undefined;
    return { available: false, reason: `${torchBackendPackage} failed to register: ${describeFailure(error)}`, cause: error };
  }
  const tfBackendName = registered.backendName ?? 'torch';
  if (tf.findBackendFactory(tfBackendName) == null) {
    return {
      available: false,
      reason: `${torchBackendPackage} registered no '${tfBackendName}' backend in this copy of tfjs-core`,
    };
  }
  return { available: true, tfBackendName, describeDevice: async () => registered.device };
}
