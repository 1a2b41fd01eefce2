import type { KernelUsage } from './kernels/kernel-usage.js';
import type { TorchExecution } from './torch-backend-options.js';

/**
 * What {@link registerTorchBackend} resolves to. Satisfies `@reca/runtime`'s `TorchBackendRegistration` contract
 * (`device`, `backendName`).
 */
export interface TorchBackendRegistration {
  /** One line, e.g. `'cuda:0 (NVIDIA H100 80GB HBM3, libtorch 2.11.0)'` or `'cpu (libtorch 1.13.0, 2 threads, OpenBLAS openmp)'`. */
  readonly device: string;
  /** Name of the registered tfjs backend. */
  readonly backendName: 'torch';
  /** The compute device: `'cpu'` or `'cuda:<index>'`. */
  readonly computeDevice: string;
  /** Version of the linked libtorch. */
  readonly torchVersion: string;
  /** ATen intra-op threads. */
  readonly threads: number;
  /** How kernels run now (see `TorchBackendOptions.execution`). */
  readonly execution: TorchExecution;
  /**
   * Switches how kernels run from now on, after every queued kernel has run (thread counts stay as registered).
   * Synchronous execution makes a failing kernel throw at its own call: use it to find where an error comes from.
   */
  setExecution(mode: TorchExecution): void;
  /** tfjs kernels computed natively. */
  readonly nativeKernels: readonly string[];
  /** tfjs kernels that run the cpu backend's implementation on copies (with a one-time warning each). */
  readonly fallbackKernels: readonly string[];
  /** Fallback call counts. */
  readonly usage: KernelUsage;
  /** Saved tensors share their data instead of an Identity kernel call each (option `shareSavedTensors`). */
  readonly sharesSavedTensors: boolean;
  /** Tensors the addon holds right now (flat over training steps when nothing leaks). */
  nativeHandleCount(): number;
  /**
   * Waits for queued kernels and queued device work (for timing; reads already wait). Throws the `TorchKernelError` of
   * a queued kernel that failed since the last report.
   */
  synchronize(): void;
}
