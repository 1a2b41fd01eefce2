import { tf } from '../tf.js';
import type { FusedKernelName } from './fused-kernel-names.js';
import { runFusedKernel, type FusedKernelAttribute } from './has-fused-kernel.js';

/** One differentiable fused op: a forward kernel and the kernel of its gradient. */
export interface FusedOpCall {
  readonly forwardKernel: FusedKernelName;
  readonly gradientKernel: FusedKernelName;
  /**
   * Named inputs; `null` marks an absent optional input (not passed to either kernel, no gradient). Every present
   * input is differentiated: the gradient kernel returns one gradient per present input, in this order.
   */
  readonly inputs: Readonly<Record<string, tf.Tensor | null>>;
  readonly attrs?: Readonly<Record<string, FusedKernelAttribute>>;
  /**
   * Names of the forward kernel's outputs after the first that the gradient kernel also reads (e.g. attention
   * weights); kept for the gradient, never returned.
   */
  readonly savedOutputs?: readonly string[];
}

/**
 * Runs a fused kernel under `tf.customGrad`, so the tape records one node instead of the composed op's many. The
 * gradient kernel receives `dy`, the same named inputs and the saved outputs, with the same attributes.
 *
 * @returns the forward kernel's first output; the caller owns it.
 */
export function runFusedOp(call: FusedOpCall): tf.Tensor {
  const { forwardKernel, gradientKernel, attrs = {}, savedOutputs = [] } = call;
  const names = Object.keys(call.inputs).filter((name) => call.inputs[name] !== null);
  const operation = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const named = (tensors: readonly tf.Tensor[]): tf.NamedTensorMap => Object.fromEntries(names.map((name, index) => [name, tensors[index] as tf.Tensor]));
    const inputs = args as tf.Tensor[];
    const [value, ...rest] = runFusedKernel(forwardKernel, named(inputs), attrs) as [tf.Tensor, ...tf.Tensor[]];
    save([...inputs, ...rest.slice(0, savedOutputs.length)]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const gradientInputs: tf.NamedTensorMap = { dy: dy as tf.Tensor, ...named(saved) };
        savedOutputs.forEach((name, index) => (gradientInputs[name] = saved[names.length + index] as tf.Tensor));
        return runFusedKernel(gradientKernel, gradientInputs, attrs);
      },
    };
  });
  return operation(...names.map((name) => call.inputs[name] as tf.Tensor));
}
