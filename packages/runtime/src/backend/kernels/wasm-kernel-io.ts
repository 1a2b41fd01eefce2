import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { tf } from '../../tf.js';

/** The kernel parameters tfjs passes to a `kernelFunc`. */
export type KernelParameters = Parameters<tf.KernelFunc>[0];

/** The wasm backend behind a kernel's untyped `backend` parameter. */
export function asWasmBackend(backend: KernelParameters['backend']): BackendWasm {
  return backend as BackendWasm;
}

/** A copy of a tensor's values from the wasm heap, as float32 or int32 (by the tensor's dtype). */
export function readWasmValues(backend: BackendWasm, tensor: tf.TensorInfo): Float32Array | Int32Array {
  const values = backend.readSync(tensor.dataId);
  if (values instanceof Float32Array || values instanceof Int32Array) return values;
  if (values instanceof Uint8Array) return Int32Array.from(values);
  throw new TypeError(`kernel fix: tensor of dtype '${tensor.dtype}' is not supported (float32, int32, bool only)`);
}

/** Allocates a wasm tensor of `shape`/`dtype` holding `values` (converted to the dtype). The engine owns the result. */
export function writeWasmOutput(
  backend: BackendWasm,
  shape: number[],
  dtype: tf.DataType,
  values: Float64Array | Float32Array | Int32Array,
): tf.TensorInfo {
  const converted =
    dtype === 'int32' ? Int32Array.from(values) : dtype === 'bool' ? Uint8Array.from(values) : Float32Array.from(values);
  return backend.makeOutput(shape, dtype, undefined, converted);
}
