import { tf } from '@reca/runtime';
import type { TorchBackend } from '../backend/torch-backend.js';

/** Kernel inputs as tfjs passes them: named (`{ x, indices }`) or an array (Concat, Pack, AddN, Einsum). */
export type KernelInputs = tf.NamedTensorInfoMap | readonly tf.TensorInfo[];

/**
 * Runs the cpu backend's kernel `kernelName` on `torch` tensors: inputs are read back and written into the cpu
 * backend, the kernel runs there, and its outputs are written back into `torch`. Every intermediate cpu buffer is
 * freed before returning.
 * @param registry - the tfjs namespace whose kernel registry and backends to use.
 * @returns the outputs as `torch` tensor infos (the caller — the tfjs engine — owns them).
 * @throws Error when the cpu backend has no such kernel either.
 */
export function runCpuKernel(
  registry: Pick<typeof tf, 'getKernel' | 'findBackend'>,
  kernelName: string,
  inputs: KernelInputs,
  attrs: tf.NamedAttrMap,
  torch: TorchBackend,
): tf.TensorInfo | tf.TensorInfo[] {
  const kernel = registry.getKernel(kernelName, 'cpu');
  const cpu = registry.findBackend('cpu');
  if (kernel === undefined || cpu == null) {
    throw new Error(`kernel '${kernelName}' has no native torch implementation and no cpu kernel to fall back to`);
  }
  const created: tf.DataId[] = [];
  const toCpu = (info: tf.TensorInfo | undefined): tf.TensorInfo | undefined => {
    if (info == null) return info;
    const dataId = cpu.write(torch.readSync(info.dataId), info.shape, info.dtype);
    created.push(dataId);
    return { dataId, shape: info.shape, dtype: info.dtype };
  };
  const cpuInputs = Array.isArray(inputs)
    ? (inputs as readonly tf.TensorInfo[]).map((info) => toCpu(info) as tf.TensorInfo)
    : Object.fromEntries(Object.entries(inputs as tf.NamedTensorInfoMap).map(([name, info]) => [name, toCpu(info)]));
  let outputs: tf.TensorInfo[];
  try {
    const result = kernel.kernelFunc({ inputs: cpuInputs as tf.NamedTensorInfoMap, attrs, backend: cpu });
    outputs = Array.isArray(result) ? result : [result];
  } catch (error) {
    for (const dataId of created) cpu.disposeData(dataId);
    throw error;
  }
  const torchOutputs = outputs.map((output) => ({
    dataId: torch.write(cpu.readSync(output.dataId), output.shape, output.dtype),
    shape: output.shape,
    dtype: output.dtype,
  }));
  // An output may alias an input (Identity, Reshape): the cpu backend's reference count makes both disposals safe.
  for (const output of outputs) cpu.disposeData(output.dataId);
  for (const dataId of created) cpu.disposeData(dataId);
  return torchOutputs.length === 1 ? (torchOutputs[0] as tf.TensorInfo) : torchOutputs;
}
