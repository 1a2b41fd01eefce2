import type { tf } from '../../tf.js';

/**
 * A gradient that the runtime registers (for every backend) because tfjs-core's own is wrong, missing or needlessly
 * slow. Registered by {@link registerGradientFixes}.
 */
export interface GradientFix {
  /** `'gradient:<KernelName>'`; listed in `BackendReport.kernelFixes`. */
  readonly id: string;
  readonly description: string;
  /** One stable config object (its `gradFunc` identity makes registration idempotent). */
  readonly config: tf.GradConfig;
}
