/**
 * The safetensors element types this library reads and writes, with their sizes and the typed array that holds each.
 *
 * Data is little-endian, row-major ('C' order), as the format specifies. The 8-bit float types (`F8_E4M3`, `F8_E5M2`)
 * and unsigned 16/32/64-bit types of the reference implementation are not supported: a file using them is rejected
 * with a clear error rather than misread.
 */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** All supported dtypes, in the order the reference writer lays them out (largest alignment first). */
export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = ['I64', 'F64', 'F32', 'I32', 'BF16', 'F16', 'I16', 'I8', 'U8', 'BOOL'];

/** Bytes per element of each dtype. */
export const SAFETENSORS_DTYPE_BYTE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/**
 * Position of each dtype in the reference implementation's `Dtype` enum (Rust `safetensors::Dtype`, declared in
 * increasing alignment order: BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64).
 * The writer sorts tensors by this rank, descending, then by name, so that every tensor starts aligned to its size.
 */
export const SAFETENSORS_DTYPE_WRITE_RANK: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 5,
  F16: 7,
  BF16: 8,
  I32: 9,
  F32: 11,
  F64: 12,
  I64: 13,
};

/** True when `value` names a supported dtype. */
export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_BYTE_SIZE, value);
}

/**
 * One tensor as stored in a safetensors file: dtype, shape and the elements in a typed array of the matching kind.
 * F16 and BF16 elements are kept as their raw 16-bit patterns (see `half-precision.ts` to convert), I64 as bigint,
 * BOOL as bytes that are 0 or 1.
 */
export type SafetensorsTensor =
  | { readonly dtype: 'F64'; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly dtype: 'F32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'F16' | 'BF16'; readonly shape: readonly number[]; readonly data: Uint16Array }
  | { readonly dtype: 'I64'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'I32'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'I16'; readonly shape: readonly number[]; readonly data: Int16Array }
  | { readonly dtype: 'I8'; readonly shape: readonly number[]; readonly data: Int8Array }
  | { readonly dtype: 'U8' | 'BOOL'; readonly shape: readonly number[]; readonly data: Uint8Array };

/** A tensor's entry in the header: where its bytes are, relative to the start of the byte buffer. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** `[begin, end)` byte offsets relative to the start of the byte buffer (after the header). */
  readonly dataOffsets: readonly [number, number];
}

/** Number of elements of a tensor of `shape` (1 for a scalar, `[]`). */
export function countElements(shape: readonly number[]): number {
  let count = 1;
  for (const size of shape) count *= size;
  return count;
}

/** Builds the typed array a dtype uses, as a view on `buffer` (which must be aligned to the element size). */
export function typedArrayForDtype(dtype: SafetensorsDtype, buffer: ArrayBuffer, elementCount: number): SafetensorsTensor['data'] {
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, 0, elementCount);
    case 'F32':
      return new Float32Array(buffer, 0, elementCount);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer, 0, elementCount);
    case 'I64':
      return new BigInt64Array(buffer, 0, elementCount);
    case 'I32':
      return new Int32Array(buffer, 0, elementCount);
    case 'I16':
      return new Int16Array(buffer, 0, elementCount);
    case 'I8':
      return new Int8Array(buffer, 0, elementCount);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer, 0, elementCount);
  }
}

/** The typed array constructor each dtype's data must use (checked by the encoder). */
export const SAFETENSORS_DTYPE_ARRAY_TYPE: Readonly<Record<SafetensorsDtype, string>> = {
  F64: 'Float64Array',
  F32: 'Float32Array',
  F16: 'Uint16Array',
  BF16: 'Uint16Array',
  I64: 'BigInt64Array',
  I32: 'Int32Array',
  I16: 'Int16Array',
  I8: 'Int8Array',
  U8: 'Uint8Array',
  BOOL: 'Uint8Array',
};

/** True on little-endian hosts; typed arrays then hold safetensors bytes as they are. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
