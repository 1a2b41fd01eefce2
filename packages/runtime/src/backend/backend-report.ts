import type { BackendName } from './backend-name.js';

/** What a WebGPU adapter says about itself (`GPUAdapter.info`), plus whether it is a software rasteriser. */
export interface AdapterReport {
  /** e.g. `'nvidia'`, `'mesa'`; empty when the driver does not say. */
  readonly vendor: string;
  /** e.g. `'hopper'`, `'software'`. */
  readonly architecture: string;
  /** e.g. `'llvmpipe-llvm-15-0-6-256-bits-'`. */
  readonly device: string;
  /** e.g. `'NVIDIA H100 80GB HBM3'`, `'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)'`. */
  readonly description: string;
  /** True for lavapipe / llvmpipe / SwiftShader and any adapter that reports itself as a fallback adapter. */
  readonly software: boolean;
}

/** A backend that resolution passed over, and why. */
export interface SkippedBackend {
  readonly backend: BackendName;
  readonly reason: string;
}

/** What {@link initializeRuntime} chose and why; print it with {@link formatBackendReport}. */
export interface BackendReport {
  /** The backend now active in `tf`. */
  readonly backend: BackendName;
  /** The tfjs backend name registered in the engine (`'tensorflow'` for tfjs-node, `'torch'`, …). */
  readonly tfBackendName: string;
  /** Human-readable device, e.g. `'cpu (wasm simd, 1 thread)'` or the GPU adapter's description. */
  readonly device: string;
  /** Present for `webgpu`. */
  readonly adapter?: AdapterReport;
  /** Why this backend was chosen (`'requested by option'`, `'RECA_BACKEND=wasm'`, `'auto: best available'`). */
  readonly reason: string;
  /** Better backends that were tried first and passed over, with their reasons (empty when the first one was used). */
  readonly skipped: readonly SkippedBackend[];
  /**
   * Ids of the kernel fixes registered for this backend (e.g. `'wasm:UnsortedSegmentSum'`), then of the
   * backend-independent gradient fixes (e.g. `'gradient:Cumsum'`).
   */
  readonly kernelFixes: readonly string[];
}
