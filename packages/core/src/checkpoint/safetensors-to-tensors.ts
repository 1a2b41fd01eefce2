import { InvalidArgumentError, tf } from '@reca/runtime';
import { collectionEntries, type SafetensorsTensorCollection } from './encode-safetensors.js';
import { halfBitsToFloat32Array } from './half-precision.js';
import type { SafetensorsTensor } from './safetensors-dtype.js';

const INT32_MINIMUM = -(2 ** 31);
const INT32_MAXIMUM = 2 ** 31 - 1;

type TensorValues = { dtype: 'float32'; values: Float32Array } | { dtype: 'int32'; values: Int32Array } | { dtype: 'bool'; values: Uint8Array };

function toTensorValues(name: string, entry: SafetensorsTensor): TensorValues {
  switch (entry.dtype) {
    case 'F32':
      return { dtype: 'float32', values: entry.data.slice() };
    case 'F64':
      return { dtype: 'float32', values: Float32Array.from(entry.data) };
    case 'F16':
    case 'BF16':
      return { dtype: 'float32', values: halfBitsToFloat32Array(entry.data, entry.dtype) };
    case 'I32':
      return { dtype: 'int32', values: entry.data.slice() };
    case 'I16':
    case 'I8':
    case 'U8':
      return { dtype: 'int32', values: Int32Array.from(entry.data) };
    case 'I64': {
      const values = new Int32Array(entry.data.length);
      for (let index = 0; index < entry.data.length; index++) {
        const value = entry.data[index];
        if (value < BigInt(INT32_MINIMUM) || value > BigInt(INT32_MAXIMUM)) {
          throw new InvalidArgumentError({
            argument: `tensors['${name}']`,
            message: `I64 element ${index} is ${value}, outside the int32 range tfjs can hold [${INT32_MINIMUM}, ${INT32_MAXIMUM}]`,
          });
        }
        values[index] = Number(value);
      }
      return { dtype: 'int32', values };
    }
    case 'BOOL':
      return { dtype: 'bool', values: Uint8Array.from(entry.data, (value) => (value === 0 ? 0 : 1)) };
  }
}

/**
 * Creates tfjs tensors from safetensors entries. tfjs has fewer dtypes, so:
 * F32 → float32 (exact); F16, BF16 → float32 (exact); F64 → float32 (rounded to nearest: tfjs has no float64);
 * I32 → int32; I16, I8, U8 → int32 (exact); I64 → int32 (exact, throws when a value is outside the int32 range);
 * BOOL → bool. Shapes are kept.
 *
 * The caller owns the returned tensors and must dispose them. When any entry cannot be converted nothing is created.
 *
 * @throws InvalidArgumentError naming the tensor and element when an I64 value does not fit in int32
 */
export function safetensorsToTensors(entries: SafetensorsTensorCollection): Map<string, tf.Tensor> {
  const converted = collectionEntries(entries).map(([name, entry]) => [name, entry, toTensorValues(name, entry)] as const);
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, entry, { dtype, values }] of converted) tensors.set(name, tf.tensor(values, [...entry.shape], dtype));
  return tensors;
}
