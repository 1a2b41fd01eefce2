import { tf } from '../tf.js';
import type { FusedKernelName } from './fused-kernel-names.js';
import { runFusedKernel, type FusedKernelAttribute } from './has-fused-kernel.js';

/**
 * Runs an elementwise fused kernel `forwardKernel` (input `x`) with its gradient kernel `gradientKernel` (inputs `dy`,
 * `x`, same attributes) under `tf.customGrad`, so the tape records one node instead of the composed op's many.
 *
 * @param input - float32 tensor of any shape.
 * @returns float32 tensor of the same shape; the caller owns it.
 */
export function runFusedUnaryOp(
  input: tf.Tensor,
  forwardKernel: FusedKernelName,
  gradientKernel: FusedKernelName,
  attrs: Record<string, FusedKernelAttribute> = {},
): tf.Tensor {
  const operation = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: runFusedKernel(forwardKernel, { x }, attrs)[0] as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        runFusedKernel(gradientKernel, { dy: dy as tf.Tensor, x: saved[0] as tf.Tensor }, attrs)[0] as tf.Tensor,
    };
  });
  return operation(input);
}
