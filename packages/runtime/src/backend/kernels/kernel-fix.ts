import type { tf } from '../../tf.js';

/**
 * A kernel that the runtime registers for one backend because the backend's own is missing or wrong. Registered by
 * {@link registerKernelFixes}; the stock kernel (if any) is kept so it can be restored.
 */
export interface KernelFix {
  /** `'<backend>:<KernelName>'`, e.g. `'wasm:UnsortedSegmentSum'`; listed in `BackendReport.kernelFixes`. */
  readonly id: string;
  /** tfjs kernel name, e.g. `'PadV2'`. */
  readonly kernelName: string;
  /** tfjs backend name the kernel is registered for. */
  readonly backendName: string;
  /** Why the fix exists, in one sentence. */
  readonly description: string;
  /** The replacement kernel. Must be one stable function object (its identity makes registration idempotent). */
  readonly kernelFunc: tf.KernelFunc;
}
