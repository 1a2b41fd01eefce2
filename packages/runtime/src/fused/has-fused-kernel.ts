import { tf } from '../tf.js';
import type { FusedKernelName } from './fused-kernel-names.js';

/**
 * Whether the active backend registers the fused kernel `kernelName` (the op then calls it instead of composing plain
 * tfjs ops). Set `RECA_FUSED_KERNELS=0` to compose everywhere (to compare, or to rule the fused path out).
 */
export function hasFusedKernel(kernelName: FusedKernelName): boolean {
  if (fusedKernelsDisabled) return false;
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

const fusedKernelsDisabled = typeof process !== 'undefined' && process.env?.['RECA_FUSED_KERNELS'] === '0';

/** An attribute of a fused kernel call. */
export type FusedKernelAttribute = number | string | boolean | ReadonlyArray<number | boolean>;

/** Runs a fused kernel with tensors; returns its outputs as tensors (the caller owns them). */
export function runFusedKernel(kernelName: FusedKernelName, inputs: tf.NamedTensorMap, attrs: Record<string, FusedKernelAttribute>): tf.Tensor[] {
  const result = tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(result) ? result : [result];
}
