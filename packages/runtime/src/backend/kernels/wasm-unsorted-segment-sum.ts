import type { tf } from '../../tf.js';
import type { KernelFix } from './kernel-fix.js';
import { asWasmBackend, readWasmValues, writeWasmOutput, type KernelParameters } from './wasm-kernel-io.js';

/**
 * `output[segment, ...] = Σ_{i: segmentIds[i] = segment} x[i, ...]` for `x` [n, ...rest] and int32 `segmentIds` whose
 * shape is a prefix of x's (flattened here to [n]). Ids outside [0, numSegments) are dropped, as in TensorFlow.
 * Sums in float64, then rounds once to the output dtype.
 */
export function unsortedSegmentSumValues(
  values: Float32Array | Int32Array,
  segmentIds: Int32Array | Float32Array,
  numSegments: number,
): Float64Array {
  const rows = segmentIds.length;
  const rowSize = rows === 0 ? 0 : values.length / rows;
  const output = new Float64Array(numSegments * rowSize);
  for (let row = 0; row < rows; row++) {
    const segment = segmentIds[row] as number;
    if (segment < 0 || segment >= numSegments) continue;
    const source = row * rowSize;
    const target = segment * rowSize;
    for (let column = 0; column < rowSize; column++) output[target + column] += values[source + column] as number;
  }
  return output;
}

function unsortedSegmentSumKernel({ inputs, backend, attrs }: KernelParameters): tf.TensorInfo {
  const wasm = asWasmBackend(backend);
  const x = inputs['x'] as tf.TensorInfo;
  const segmentIds = inputs['segmentIds'] as tf.TensorInfo;
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const outputShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const summed = unsortedSegmentSumValues(readWasmValues(wasm, x), readWasmValues(wasm, segmentIds), numSegments);
  return writeWasmOutput(wasm, outputShape, x.dtype, summed);
}

/** wasm has no `UnsortedSegmentSum`, which is `gather`'s gradient (every embedding table needs it). */
export const wasmUnsortedSegmentSumFix: KernelFix = {
  id: 'wasm:UnsortedSegmentSum',
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  description: "missing in tfjs-backend-wasm 4.22; gather's gradient (embeddings) needs it. JavaScript on the heap copies.",
  kernelFunc: unsortedSegmentSumKernel,
};
