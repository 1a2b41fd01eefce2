/**
 * Saved tensors that share their data instead of being copied through a kernel.
 *
 * tfjs keeps each tensor a gradient needs (a kernel's saved inputs and outputs, and what `customGrad` functions save)
 * through the engine's private `clone`: an Identity kernel call — on this backend it only adds a reference to the
 * data — plus a tape node linking the copy to the original. A tiny-preset recaStep saves hundreds of tensors (the
 * masked-autoregressive one ~1,100), each through tfjs's full kernel path in JavaScript, and with asynchronous
 * execution JavaScript is what bounds such a step (on the CPU for the diffusion step; on a GPU for every small one).
 * While the active backend is `torch`, holds the tensor's data, and the gradient being recorded is first-order, the
 * engine's `clone` here adds the reference directly and makes the tensor, without the kernel call or the tape node.
 * The tape node matters only when the backward pass is itself recorded (a gradient of a gradient: the engine's
 * `gradientDepth` is then 2 or more while saving), and there tfjs's own clone runs. Values are unchanged: measured
 * bitwise-equal losses and weights over recaSteps, and gradients (tests in share-saved-tensors.test.ts).
 *
 * Written by hand: tfjs has no hook for how saved tensors are kept. It uses tfjs-core 4.22's engine (`clone`,
 * `state.gradientDepth`, `state.tensorInfo`, `makeTensorFromTensorInfo`, `backendName`) and leaves an engine without
 * them alone.
 */
import { InvalidArgumentError, type tf } from '@reca/runtime';
import { torchEnvironmentVariables } from '../torch-backend-options.js';

/** The engine members the sharing uses (tfjs-core 4.22's `Engine`; `clone` is private in its types). */
interface EngineInternals {
  clone: (x: tf.Tensor) => tf.Tensor;
  backendName: string;
  readonly backend: tf.KernelBackend;
  state: { gradientDepth: number; tensorInfo: { get(dataId: object): { backend: tf.KernelBackend } | undefined } };
  makeTensorFromTensorInfo(info: tf.TensorInfo): tf.Tensor;
}

const installed = Symbol.for('@reca/runtime-torch:share-saved-tensors');

/**
 * Makes `engine` (`tf.engine()`) share saved tensors' data while `backendName` is active (see the module comment).
 * Idempotent.
 * @returns a function that restores tfjs's own clone, or undefined when this engine lacks the members it needs.
 */
export function shareSavedTensors(engine: unknown, backendName: string): (() => void) | undefined {
  const target = engine as Partial<EngineInternals> & Record<symbol, (() => void) | undefined>;
  const existing = target[installed];
  if (existing !== undefined) return existing;
  if (typeof target.clone !== 'function' || typeof target.makeTensorFromTensorInfo !== 'function') return undefined;
  if (typeof target.state?.gradientDepth !== 'number' || typeof target.state.tensorInfo?.get !== 'function') return undefined;
  const hadOwnClone = Object.prototype.hasOwnProperty.call(target, 'clone');
  const stockClone = target.clone;
  target.clone = function (this: EngineInternals, x: tf.Tensor): tf.Tensor {
    if (this.backendName !== backendName || this.state.gradientDepth > 1) return stockClone.call(this, x);
    const backend = this.backend;
    if (this.state.tensorInfo.get(x.dataId)?.backend !== backend) return stockClone.call(this, x);
    backend.incRef(x.dataId);
    return this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype });
  };
  const restore = () => {
    if (hadOwnClone) target.clone = stockClone;
    else delete target.clone;
    target[installed] = undefined;
  };
  target[installed] = restore;
  return restore;
}

/**
 * Whether saved tensors share their data: the option, else `RECA_TORCH_SHARE_SAVED_TENSORS` (`1`/`true` or
 * `0`/`false`), else true.
 * @throws InvalidArgumentError for another value of the environment variable.
 */
export function resolveShareSavedTensors(
  requested: boolean | undefined,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (requested !== undefined) return requested;
  const value = environment[torchEnvironmentVariables.shareSavedTensors];
  if (value === undefined || value === '') return true;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new InvalidArgumentError({ argument: torchEnvironmentVariables.shareSavedTensors, message: `must be 0, 1, true or false, got '${value}'` });
}
