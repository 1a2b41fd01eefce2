/**
 * What `@reca/runtime-torch` must export for {@link prepareTorchBackend} to use it. The package registers a tfjs
 * backend over libtorch (ATen) in the same tfjs engine as `@reca/runtime` (it receives `tf` to be sure of that).
 */
export interface TorchBackendModule {
  /**
   * Loads the native addon and registers the tfjs backend (kernels included). Rejects with a reason when libtorch
   * or the built addon is missing.
   */
  registerTorchBackend(options?: { tf?: unknown }): Promise<TorchBackendRegistration>;
}

/** What {@link TorchBackendModule.registerTorchBackend} resolves to. */
export interface TorchBackendRegistration {
  /** e.g. `'cuda:0 (NVIDIA H100 80GB HBM3)'` or `'cpu (libtorch 1.13.1, 2 threads)'`. */
  readonly device: string;
  /** Name of the registered tfjs backend. @default 'torch' */
  readonly backendName?: string;
}

/**
 * Key under which `@reca/runtime-torch` announces its module on `globalThis` when it is loaded, so `@reca/runtime`
 * finds it even where it cannot resolve the package itself (pnpm's isolated layout, bundles).
 */
export const torchBackendModuleSymbol = Symbol.for('reca.runtime-torch.module');

/** True when `value` looks like a {@link TorchBackendModule}. */
export function isTorchBackendModule(value: unknown): value is TorchBackendModule {
  return (
    value != null &&
    typeof value === 'object' &&
    typeof (value as { registerTorchBackend?: unknown }).registerTorchBackend === 'function'
  );
}
