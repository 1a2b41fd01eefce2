/**
 * The JavaScript view of the native addon (`native/addon.cc`). Tensors are integer handles into the addon's table;
 * each handle owns one reference to an ATen tensor until {@link TorchAddon.free}.
 */
export interface TorchAddon {
  /** Copies `values` into a new tensor of `shape` (dtype by {@link dtypeCodes} code); returns its handle. */
  write(values: Float32Array | Int32Array | Uint8Array | Float64Array, shape: readonly number[], dtypeCode: number): number;
  /** Copies a tensor back to host memory (blocking: waits for queued device work). */
  read(handle: number): Float32Array | Int32Array | Uint8Array;
  /** Releases a handle. */
  free(handle: number): void;
  /** Number of live handles. */
  liveHandles(): number;
  /** Registers the Int32Array the addon writes output metadata into: per output `[handle, dtype code, rank, ...dims]`. */
  setOutputBuffer(buffer: Int32Array): void;
  /** Native kernels by tfjs kernel name; a kernel's code is its index. */
  kernelNames(): string[];
  /**
   * Runs kernel `code` on input handles (`-1` for an absent optional input) with tfjs attributes; returns the number
   * of outputs (metadata in the output buffer). Throws `RECA_UNSUPPORTED: …` for inputs it does not implement.
   * `attributesKey` (kernels/attribute-key.ts) lets a queued call reuse the copy of equal attributes made earlier.
   */
  run(code: number, inputHandles: readonly number[], attrs: object | undefined, attributesKey?: string): number;
  /** What libtorch offers here. */
  info(): TorchAddonInfo;
  /** Selects the compute device and thread counts (process-wide). */
  configure(options: {
    device: string;
    threads?: number;
    blasThreads?: number;
    flushDenormals?: boolean;
    /** CPU kernels below this estimated work run on one thread while the OpenMP pool sleeps (0: never). */
    singleThreadWorkBelow?: number;
    /** How long the OpenMP pool spins after a parallel region (Infinity: it never sleeps). */
    poolAwakeMicroseconds?: number;
    /** Queue kernels for the execution thread (see native/execution.cc) instead of running them in line. */
    asynchronousExecution?: boolean;
    /**
     * Asynchronous execution on the CPU: learn a new signature's output shapes from a run on meta tensors (default
     * true); false learns each from its first call, which waits, as on CUDA (tests run CUDA's path on the CPU with it).
     * Setting it forgets every learnt signature.
     */
    inferOutputShapesOnMeta?: boolean;
  }): void;
  /** Waits for queued kernels, then for queued device work. */
  synchronize(): void;
  /** Waits for every queued kernel without reporting failures (the process 'exit' hook). */
  finishQueuedKernels(): void;
  /** Queues kernels for the native execution thread (true) or runs them in line (false), after draining the queue. */
  setAsynchronousExecution(asynchronous: boolean): void;
  /** Shape, dtype code and device of a handle (tests, diagnostics). */
  describe(handle: number): { shape: number[]; dtype: number; device: string };
  /**
   * Starts counting the ATen operators kernels run (every operator the dispatcher runs, nested ones included), after
   * the queued kernels finish. Throws when a census is already running. Diagnostics (see native/operator_census.cc).
   */
  startOperatorCensus(): void;
  /** Stops the census, after the queued kernels finish: counts by tfjs kernel name, then by operator name. */
  stopOperatorCensus(): Record<string, Record<string, number>>;
}

/** What {@link TorchAddon.info} reports. */
export interface TorchAddonInfo {
  readonly torchVersion: string;
  /** The linked libtorch has CUDA and the driver reports at least one device. */
  readonly cudaAvailable: boolean;
  readonly cudaDevices: number;
  /** ATen intra-op threads. */
  readonly threads: number;
  /** Current compute device, e.g. `'cpu'`, `'cuda:0'`. */
  readonly device: string;
  /** The configured single-thread work threshold (0: off). */
  readonly singleThreadWorkBelow: number;
  /** Kernel calls that ran on one thread because they were small and the OpenMP pool slept, since the addon loaded. */
  readonly singleThreadKernelCalls: number;
  /** CPU tensors copied to the CUDA device because a kernel needed them there, since the addon loaded (0 on CPU). */
  readonly kernelInputCopies: number;
  /** Kernels are queued for the execution thread (see native/execution.cc). */
  readonly asynchronousExecution: boolean;
  /** Kernel calls queued without waiting, since the addon loaded. */
  readonly queuedKernelCalls: number;
  /** Kernel calls that waited to learn their output shapes (the first call of a signature that meta tensors could not tell). */
  readonly awaitedKernelCalls: number;
  /** Signatures whose output shapes a run on meta tensors gave. */
  readonly inferredSignatures: number;
  /** Time the execution thread spent running kernels, since the addon loaded. */
  readonly executionBusyMs: number;
  /**
   * Time JavaScript spent blocked waiting for queued kernels (reads, the AdamW barrier, a full queue, calls learning
   * their output shapes), since the addon loaded: a step's wall time minus this is its JavaScript time.
   */
  readonly javaScriptWaitMs: number;
  /** Kernels queued and not yet run. */
  readonly pendingKernels: number;
  readonly blas: { openblas: boolean; threading?: 'sequential' | 'pthreads' | 'openmp'; config?: string; threads?: number };
}

/** tfjs dtypes with native storage, and their codes in the addon. */
export const dtypeCodes = { float32: 0, int32: 1, bool: 2 } as const;

/** A dtype the addon stores. */
export type NativeDtype = keyof typeof dtypeCodes;

/** Code → dtype, the inverse of {@link dtypeCodes}. */
export const dtypesByCode: readonly NativeDtype[] = ['float32', 'int32', 'bool'];

/** Prefix of the error message a native kernel throws for inputs it does not implement. */
export const unsupportedPrefix = 'RECA_UNSUPPORTED: ';

/** Prefix of the error message `run` throws when a kernel queued earlier failed on the execution thread. */
export const queuedFailurePrefix = 'RECA_QUEUED_KERNEL_FAILED: ';

/**
 * The failed kernel's name and ATen's reason in a queued failure's message (`"kernel 'GatherV2' (queued) failed:
 * index out of range"`, from `run` after {@link queuedFailurePrefix} or from `read`); undefined for other messages.
 */
export function parseQueuedFailure(message: string): { kernelName: string; reason: string } | undefined {
  const match = /kernel '([^']+)' \(queued\) failed: (.*)$/s.exec(message);
  return match === null ? undefined : { kernelName: match[1] as string, reason: match[2] as string };
}
