import { InvalidArgumentError, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from './decode-safetensors.js';
import { encodeSafetensors } from './encode-safetensors.js';
import type { SafetensorsTensor } from './safetensors-dtype.js';
import { safetensorsToTensors } from './safetensors-to-tensors.js';
import { tensorsToSafetensors, tensorToSafetensors } from './tensors-to-safetensors.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('tf.Tensor ↔ safetensors', () => {
  it('maps float32 → F32, int32 → I32, bool → BOOL and back, exactly, without leaking', async () => {
    const before = tf.memory().numTensors;
    const weight = tf.tensor2d([[0.1, -2.5e-8], [3.4e38, Number.NaN]]);
    const counts = tf.tensor1d([-(2 ** 31), 2 ** 31 - 1, 0], 'int32');
    const mask = tf.tensor([true, false, true], [3, 1], 'bool');
    const entries = await tensorsToSafetensors({ weight, counts, mask });
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(entries.get('weight')).toEqual({ dtype: 'F32', shape: [2, 2], data: new Float32Array([0.1, -2.5e-8, 3.4e38, Number.NaN]) });
    expect(entries.get('counts')).toEqual({ dtype: 'I32', shape: [3], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0]) });
    expect(entries.get('mask')).toEqual({ dtype: 'BOOL', shape: [3, 1], data: new Uint8Array([1, 0, 1]) });

    const tensors = safetensorsToTensors(decodeSafetensors(encodeSafetensors(entries)).tensors);
    expect(tf.memory().numTensors).toBe(before + 6);
    for (const [name, original] of Object.entries({ weight, counts, mask })) {
      const loaded = tensors.get(name) as tf.Tensor;
      expect(loaded.dtype).toBe(original.dtype);
      expect(loaded.shape).toEqual(original.shape);
      expect(await loaded.data()).toEqual(await original.data());
    }
    tf.dispose([weight, counts, mask, ...tensors.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stores bool as U8 on request', async () => {
    const mask = tf.tensor([false, true], [2], 'bool');
    expect(await tensorToSafetensors('mask', mask, { boolDtype: 'U8' })).toEqual({ dtype: 'U8', shape: [2], data: new Uint8Array([0, 1]) });
    mask.dispose();
  });

  it('copies the data: changing an entry does not change the tensor', async () => {
    const weight = tf.tensor1d([1, 2]);
    const entry = await tensorToSafetensors('weight', weight);
    (entry.data as Float32Array)[0] = 9;
    expect(Array.from(await weight.data())).toEqual([1, 2]);
    weight.dispose();
  });

  it('rejects disposed tensors and dtypes safetensors cannot hold', async () => {
    const disposed = tf.scalar(1);
    disposed.dispose();
    await expect(tensorToSafetensors('gone', disposed)).rejects.toThrow("Invalid argument 'tensors['gone']': tensor is disposed");
    const complex = tf.complex([1], [2]);
    await expect(tensorToSafetensors('z', complex)).rejects.toThrow("dtype 'complex64' cannot be stored");
    complex.dispose();
  });

  it('converts the other safetensors dtypes to tfjs dtypes', async () => {
    const entries: Record<string, SafetensorsTensor> = {
      f64: { dtype: 'F64', shape: [3], data: new Float64Array([0.1, 1e300, -0.5]) },
      f16: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc500]) },
      bf16: { dtype: 'BF16', shape: [1], data: new Uint16Array([0x4049]) },
      i64: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 31n), 2n ** 31n - 1n]) },
      i16: { dtype: 'I16', shape: [1], data: new Int16Array([-32768]) },
      i8: { dtype: 'I8', shape: [1], data: new Int8Array([-5]) },
      u8: { dtype: 'U8', shape: [1], data: new Uint8Array([255]) },
    };
    const before = tf.memory().numTensors;
    const tensors = safetensorsToTensors(entries);
    const read = async (name: string) => ({ dtype: tensors.get(name)?.dtype, values: Array.from(await (tensors.get(name) as tf.Tensor).data()) });
    expect(await read('f64')).toEqual({ dtype: 'float32', values: [Math.fround(0.1), Infinity, -0.5] });
    expect(await read('f16')).toEqual({ dtype: 'float32', values: [1, -5] });
    expect(await read('bf16')).toEqual({ dtype: 'float32', values: [3.140625] });
    expect(await read('i64')).toEqual({ dtype: 'int32', values: [-(2 ** 31), 2 ** 31 - 1] });
    expect(await read('i16')).toEqual({ dtype: 'int32', values: [-32768] });
    expect(await read('i8')).toEqual({ dtype: 'int32', values: [-5] });
    expect(await read('u8')).toEqual({ dtype: 'int32', values: [255] });
    tf.dispose([...tensors.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects I64 values outside int32 and then creates no tensor', () => {
    const before = tf.memory().numTensors;
    const entries: Record<string, SafetensorsTensor> = {
      fine: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
      ids: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 2n ** 31n]) },
    };
    let caught: unknown;
    try {
      safetensorsToTensors(entries);
    } catch (error) {
      caught = error;
    }
    expect(InvalidArgumentError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain("tensors['ids']': I64 element 1 is 2147483648");
    expect(tf.memory().numTensors).toBe(before);
  });
});
