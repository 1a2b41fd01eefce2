import type { OpenMpWaitPolicy } from './device/apply-openmp-wait-policy.js';

/** Where the `torch` backend computes: `'auto'` (CUDA when available, else CPU), `'cpu'`, `'cuda'` or `'cuda:<index>'`. */
export type TorchDeviceRequest = 'auto' | 'cpu' | 'cuda' | `cuda:${number}`;

/**
 * How kernels run. `'asynchronous'`: JavaScript queues each kernel for one native execution thread and goes on at once
 * (as PyTorch's CUDA launches do), so tfjs's per-kernel JavaScript and ATen's computation overlap; reads wait for the
 * kernels they need. `'synchronous'`: each kernel runs on the JavaScript thread before the tfjs op returns (a failing
 * kernel throws at its own call, as `CUDA_LAUNCH_BLOCKING=1` gives in PyTorch).
 */
export type TorchExecution = 'asynchronous' | 'synchronous';

/** Options of {@link registerTorchBackend}. */
export interface TorchBackendOptions {
  /**
   * The TensorFlow.js namespace to register the backend and its kernels in (the one `@reca/runtime` uses).
   * @default `tf` of `@reca/runtime`
   */
  tf?: unknown;
  /**
   * The compute device. A CUDA request fails with `TorchCudaUnavailableError` when the linked libtorch has no CUDA or
   * no device is visible.
   * @default `RECA_TORCH_DEVICE`, else `'auto'`
   */
  device?: TorchDeviceRequest;
  /**
   * How kernels run (see {@link TorchExecution}). Asynchronous execution needs each kernel's output shapes before it
   * runs: it learns them from the first call of each input-shape signature (on the CPU from a run on meta tensors;
   * otherwise that call waits), so a queued kernel's error (an index out of range) is thrown by the next kernel call or
   * read, naming the kernel. Measured in the README: on 2 CPU cores the tiny recaSteps run 1.4–1.9× faster. On CUDA
   * it is not yet measured, so CUDA defaults to synchronous.
   * @default `RECA_TORCH_EXECUTION`, else `'asynchronous'` on the CPU and `'synchronous'` on CUDA
   */
  execution?: TorchExecution;
  /**
   * ATen intra-op (OpenMP) threads. With asynchronous CPU execution, kernels use them only while JavaScript waits for
   * a result (at a read); while JavaScript runs they run on one thread, since an OpenMP worker competing with
   * JavaScript for a core stalls every parallel region (measured in the README).
   * @default `RECA_TORCH_THREADS`, else the number of usable cores (`os.availableParallelism()`)
   */
  threads?: number;
  /**
   * OpenBLAS threads (when libtorch's BLAS is OpenBLAS). OpenBLAS built on OpenMP shares ATen's pool; the pthreads
   * build keeps its own busy-waiting pool that oversubscribes the cores ATen uses, so it gets one thread.
   * @default `RECA_TORCH_BLAS_THREADS`, else `threads` (OpenMP OpenBLAS) or 1 (pthreads OpenBLAS)
   */
  blasThreads?: number;
  /**
   * CPU kernels whose estimated work is below this run on one thread when the OpenMP pool has probably gone to sleep
   * (longer than its spin, from the wait policy, since the last kernel that ran in parallel): waking the pool costs
   * more than a second thread saves on them (measured here: a 23 µs linear takes 49 µs after the pool slept). Work is
   * counted in element-equivalents: the inputs' elements, or multiply-adds / 16 for matrix products, linears,
   * attention and convolutions. 0 turns this off. Measured in the README (tiny models gain, larger ones are unchanged).
   * @default `RECA_TORCH_SINGLE_THREAD_WORK_BELOW`, else 262144
   */
  singleThreadWorkBelow?: number;
  /**
   * The addon file.
   * @default `RECA_TORCH_ADDON`, else `<package>/build/Release/reca_torch.node` (built at install time)
   */
  addonPath?: string;
  /**
   * What ATen's (and OpenMP OpenBLAS's) idle threads do between parallel regions, set through the environment libgomp
   * reads when the addon loads it. `'bounded'`: spin briefly (GOMP_SPINCOUNT = `boundedSpinCount`), then sleep.
   * `'inherit'`: libgomp's default, as in PyTorch (300k pauses of spinning). `'passive'`: sleep at once. `'active'`:
   * never sleep. A thread that spins while another process wants its core stalls every parallel region; one that
   * sleeps costs a wake-up per kernel. Measured in the README (LM step on 2 cores, quiet and beside one busy process).
   * Ignored when `OMP_WAIT_POLICY` or `GOMP_SPINCOUNT` is already set, or when libgomp was loaded before.
   * @default 'bounded'
   */
  openMpWaitPolicy?: OpenMpWaitPolicy;
  /**
   * Flush denormal floats to zero in CPU arithmetic (FTZ/DAZ; PyTorch's `torch.set_flush_denormal(True)`). Denormal
   * operands make CPU kernels ~15× slower, and Adam's second moments of near-zero gradients reach them; values below
   * 1.2e-38 become 0. Has no effect on CUDA kernels.
   * @default true
   */
  flushDenormals?: boolean;
  /**
   * Keep the tensors gradients need by sharing their data (one more reference) instead of tfjs's Identity kernel call
   * and tape node per saved tensor, while this backend is active and the gradient is first-order
   * (backend/share-saved-tensors.ts). Values are unchanged; the JavaScript of a step shrinks (measured in the README).
   * `false` (or `RECA_TORCH_SHARE_SAVED_TENSORS=0`) keeps tfjs's own behaviour.
   * @default `RECA_TORCH_SHARE_SAVED_TENSORS` (`0` / `1`), else true
   */
  shareSavedTensors?: boolean;
  /** Warn once per kernel that runs on the cpu backend for lack of a native implementation. @default true */
  warnOnFallback?: boolean;
}

/** Name of the registered tfjs backend. */
export const torchBackendName = 'torch';

/** Environment variables read by {@link TorchBackendOptions} defaults. */
export const torchEnvironmentVariables = {
  device: 'RECA_TORCH_DEVICE',
  execution: 'RECA_TORCH_EXECUTION',
  threads: 'RECA_TORCH_THREADS',
  blasThreads: 'RECA_TORCH_BLAS_THREADS',
  singleThreadWorkBelow: 'RECA_TORCH_SINGLE_THREAD_WORK_BELOW',
  shareSavedTensors: 'RECA_TORCH_SHARE_SAVED_TENSORS',
} as const;
