import { InvalidArgumentError, tf } from '@reca/runtime';
import { collectionEntries } from './encode-safetensors.js';
import type { SafetensorsTensor } from './safetensors-dtype.js';

/** Options of {@link tensorsToSafetensors}. */
export interface TensorsToSafetensorsOptions {
  /**
   * How `bool` tensors are stored: `'BOOL'` (PyTorch's `torch.bool`) or `'U8'` (bytes 0/1, for readers without BOOL).
   * @default 'BOOL'
   */
  boolDtype?: 'BOOL' | 'U8';
}

/**
 * Copies one tfjs tensor into a safetensors entry: float32 → F32, int32 → I32, bool → BOOL (or U8). Values are
 * exact. Creates no tensors and does not dispose `tensor`.
 *
 * @param name - names the tensor in errors
 * @throws InvalidArgumentError for a disposed tensor or a dtype safetensors cannot hold (complex64, string)
 */
export async function tensorToSafetensors(
  name: string,
  tensor: tf.Tensor,
  { boolDtype = 'BOOL' }: TensorsToSafetensorsOptions = {},
): Promise<SafetensorsTensor> {
  const argument = `tensors['${name}']`;
  if (!(tensor instanceof tf.Tensor)) throw new InvalidArgumentError({ argument, message: 'expected a tf.Tensor' });
  if (tensor.isDisposed) throw new InvalidArgumentError({ argument, message: 'tensor is disposed' });
  const shape = [...tensor.shape];
  switch (tensor.dtype) {
    case 'float32':
      return { dtype: 'F32', shape, data: ((await tensor.data()) as Float32Array).slice() };
    case 'int32':
      return { dtype: 'I32', shape, data: ((await tensor.data()) as Int32Array).slice() };
    case 'bool': {
      const values = (await tensor.data()) as Uint8Array;
      return { dtype: boolDtype, shape, data: Uint8Array.from(values, (value) => (value === 0 ? 0 : 1)) };
    }
    default:
      throw new InvalidArgumentError({
        argument,
        message: `dtype '${tensor.dtype}' cannot be stored in safetensors (float32, int32 and bool can)`,
      });
  }
}

/**
 * Copies tfjs tensors into safetensors entries (see {@link tensorToSafetensors}), keeping the given order.
 * Creates no tensors and disposes none.
 *
 * @param tensors - tensors by name, any shape; float32, int32 or bool
 */
export async function tensorsToSafetensors(
  tensors: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>,
  options: TensorsToSafetensorsOptions = {},
): Promise<Map<string, SafetensorsTensor>> {
  const entries = new Map<string, SafetensorsTensor>();
  for (const [name, tensor] of collectionEntries(tensors)) entries.set(name, await tensorToSafetensors(name, tensor, options));
  return entries;
}
