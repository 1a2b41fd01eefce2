import { tf } from '@reca/runtime';
import type { TorchBackend } from '../backend/torch-backend.js';
import { unsupportedPrefix, type TorchAddon } from '../native/torch-addon.js';
import { errorMessage, torchKernelErrorOf } from '../errors/torch-kernel-error-of.js';
import { attributeKey } from './attribute-key.js';
import { attributePreparers } from './attribute-preparation.js';
import type { KernelUsage } from './kernel-usage.js';
import { nativeKernelInputs } from './native-kernel-inputs.js';
import { runCpuKernel, type KernelInputs } from './run-cpu-kernel.js';
import { unchangedOutputTests } from './unchanged-outputs.js';

/** The parts of the tfjs namespace kernel registration uses. */
export type KernelRegistry = Pick<typeof tf, 'registerKernel' | 'getKernel' | 'getKernelsForBackend' | 'findBackend'>;

/** What {@link registerTorchKernels} registered. */
export interface RegisteredTorchKernels {
  /** Kernels computed by ATen (plus Identity, which only shares data). */
  readonly native: readonly string[];
  /** Kernels that run the cpu backend's implementation on copies. */
  readonly fallback: readonly string[];
}

/**
 * Registers, for backend `backendName`, a kernel for every native kernel of the addon (keyed by tfjs kernel name,
 * reading tfjs attributes) and a cpu fallback for every other kernel the cpu backend has. A native kernel also falls
 * back, per call, for inputs it does not implement (string tensors, unsupported attribute combinations).
 * Kernels already registered for `backendName` are left alone.
 */
export function registerTorchKernels(
  registry: KernelRegistry,
  backendName: string,
  addon: TorchAddon,
  usage: KernelUsage,
): RegisteredTorchKernels {
  const native: string[] = [];
  const fallback: string[] = [];
  const fallBack = (kernelName: string, inputs: KernelInputs, attrs: tf.NamedAttrMap, torch: TorchBackend, reason: string) => {
    usage.recordFallback(kernelName, reason);
    return runCpuKernel(registry, kernelName, inputs, attrs, torch);
  };

  addon.kernelNames().forEach((kernelName, code) => {
    const inputNames = nativeKernelInputs[kernelName];
    if (inputNames === undefined) throw new Error(`native kernel '${kernelName}' has no input table entry (native-kernel-inputs.ts)`);
    const prepare = attributePreparers[kernelName];
    const unchanged = unchangedOutputTests[kernelName];
    native.push(kernelName);
    if (registry.getKernel(kernelName, backendName) !== undefined) return;
    registry.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, attrs: givenAttrs, backend }) => {
        const torch = backend as TorchBackend;
        const attrs = givenAttrs ?? {};
        if (unchanged !== undefined) {
          const x = inputs['x'];
          if (x !== undefined && unchanged(x, attrs)) return shareData(torch, x);
        }
        const ordered: Array<tf.TensorInfo | undefined> =
          inputNames === 'variadic' ? Object.values(inputs) : inputNames.map((name) => inputs[name]);
        const handles = new Array<number>(ordered.length);
        for (let index = 0; index < ordered.length; index++) {
          const info = ordered[index];
          if (info == null) {
            handles[index] = -1;
            continue;
          }
          const handle = torch.handleOf(info);
          if (handle === undefined) return fallBack(kernelName, inputs, attrs, torch, `${info.dtype} input`);
          handles[index] = handle;
        }
        let prepared: object;
        try {
          prepared = prepare === undefined ? attrs : prepare(ordered, attrs);
        } catch (error) {
          return fallBack(kernelName, inputs, attrs, torch, errorMessage(error));
        }
        let count: number;
        try {
          count = torch.addon.run(code, handles, prepared, attributeKey(prepared));
        } catch (error) {
          const message = errorMessage(error);
          if (message.startsWith(unsupportedPrefix)) {
            return fallBack(kernelName, inputs, attrs, torch, message.slice(unsupportedPrefix.length));
          }
          throw torchKernelErrorOf(kernelName, error, `the next call, '${kernelName}'`);
        }
        const outputs = torch.collectOutputs(count);
        return outputs.length === 1 ? (outputs[0] as tf.TensorInfo) : outputs;
      },
    });
  });

  // Identity shares the data id, as every tfjs backend does.
  native.push('Identity');
  if (registry.getKernel('Identity', backendName) === undefined) {
    registry.registerKernel({
      kernelName: 'Identity',
      backendName,
      kernelFunc: ({ inputs, backend }) => shareData(backend as TorchBackend, inputs['x'] as tf.TensorInfo),
    });
  }

  const nativeNames = new Set(native);
  for (const cpuKernel of registry.getKernelsForBackend('cpu')) {
    const kernelName = cpuKernel.kernelName;
    if (nativeNames.has(kernelName)) continue;
    fallback.push(kernelName);
    if (registry.getKernel(kernelName, backendName) !== undefined) continue;
    registry.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) =>
        fallBack(kernelName, inputs, attrs ?? {}, backend as TorchBackend, 'no native kernel'),
    });
  }
  return { native, fallback: fallback.sort() };
}

/** An output that is its input: one more reference to the same data (Identity, and calls that change nothing). */
function shareData(torch: TorchBackend, x: tf.TensorInfo): tf.TensorInfo {
  torch.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
