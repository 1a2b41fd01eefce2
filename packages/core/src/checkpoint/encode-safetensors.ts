/**
 * A spec-exact safetensors writer, written by hand: the npm packages named `safetensors` are unusable placeholders
 * (a 2 kB browser toy with no writer and an offset bug), and `@huggingface/hub` only parses remote headers.
 *
 * Layout (https://huggingface.co/docs/safetensors): an 8-byte little-endian u64 `N`, then `N` bytes of UTF-8 JSON
 * header padded with spaces to a multiple of 8, then the byte buffer. The output is byte-identical to the reference
 * Rust writer (`safetensors.serialize`, which `safetensors.torch.save_file` uses):
 * - tensors are laid out contiguously, sorted by dtype alignment, largest first (I64, F64, F32, I32, BF16, F16, I16,
 *   I8, U8, BOOL), then by name in UTF-8 byte order, so every tensor starts aligned to its element size;
 * - the header is compact JSON: `"__metadata__"` first (only when there is metadata), then the tensors in layout
 *   order, each as `{"dtype":…,"shape":[…],"data_offsets":[begin,end]}`;
 * - metadata keys are written sorted (UTF-8 byte order); the reference writes them in hash-map order, which varies.
 */
import { InvalidArgumentError } from '@reca/runtime';
import { toOrFromLittleEndianInPlace } from './byte-order.js';
import { compareUtf8 } from './compare-utf8.js';
import {
  countElements,
  isSafetensorsDtype,
  SAFETENSORS_DTYPE_ARRAY_TYPE,
  SAFETENSORS_DTYPE_BYTE_SIZE,
  SAFETENSORS_DTYPES,
  SAFETENSORS_DTYPE_WRITE_RANK,
  type SafetensorsTensor,
} from './safetensors-dtype.js';

/** The reserved header key that holds the string-to-string metadata map. */
export const SAFETENSORS_METADATA_KEY = '__metadata__';

/** Tensors to write, by name: a `Map` or a plain object. */
export type SafetensorsTensorCollection = ReadonlyMap<string, SafetensorsTensor> | Readonly<Record<string, SafetensorsTensor>>;

/** Entries of a tensor collection given as a `Map` or a plain object. */
export function collectionEntries<Value>(collection: ReadonlyMap<string, Value> | Readonly<Record<string, Value>>): Array<[string, Value]> {
  return collection instanceof Map ? [...collection.entries()] : Object.entries(collection as Readonly<Record<string, Value>>);
}

function validateTensor(name: string, tensor: SafetensorsTensor): void {
  const argument = `tensors['${name}']`;
  if (name === SAFETENSORS_METADATA_KEY) {
    throw new InvalidArgumentError({ argument, message: `'${SAFETENSORS_METADATA_KEY}' is reserved for metadata and cannot name a tensor` });
  }
  const dtype: unknown = (tensor as { dtype?: unknown } | undefined)?.dtype;
  if (!isSafetensorsDtype(dtype)) {
    throw new InvalidArgumentError({ argument, message: `unsupported dtype ${JSON.stringify(dtype)} (supported: ${SAFETENSORS_DTYPES.join(', ')})` });
  }
  const shape: unknown = tensor.shape;
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new InvalidArgumentError({ argument, message: `shape must be an array of non-negative integers, got ${JSON.stringify(shape)}` });
  }
  const expectedType = SAFETENSORS_DTYPE_ARRAY_TYPE[tensor.dtype];
  const actualType = ArrayBuffer.isView(tensor.data) ? (tensor.data as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] : typeof tensor.data;
  if (actualType !== expectedType) {
    throw new InvalidArgumentError({ argument, message: `dtype ${tensor.dtype} needs data in a ${expectedType}, got ${actualType}` });
  }
  const elementCount = countElements(tensor.shape);
  if (tensor.data.length !== elementCount) {
    throw new InvalidArgumentError({
      argument,
      message: `shape [${tensor.shape.join(', ')}] has ${elementCount} elements but data has ${tensor.data.length}`,
    });
  }
  if (tensor.dtype === 'BOOL') {
    const position = tensor.data.findIndex((value) => value > 1);
    if (position >= 0) {
      throw new InvalidArgumentError({ argument, message: `BOOL data must be 0 or 1, got ${tensor.data[position]} at element ${position}` });
    }
  }
}

/**
 * Serialises tensors and metadata to the bytes of a safetensors file.
 *
 * @param tensors - tensors by name; each `data` must be the typed array of its dtype (see {@link SafetensorsTensor})
 *   with exactly `product(shape)` elements. The data is copied, never kept.
 * @param metadata - free-form string-to-string map stored as `__metadata__`; omitted from the header when empty.
 * @returns the file's bytes.
 * @throws InvalidArgumentError naming the tensor or metadata key that cannot be written.
 */
export function encodeSafetensors(tensors: SafetensorsTensorCollection, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const entries = collectionEntries(tensors);
  for (const [name, tensor] of entries) validateTensor(name, tensor);
  const metadataEntries = Object.entries(metadata);
  for (const [key, value] of metadataEntries) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError({ argument: `metadata['${key}']`, message: `metadata values must be strings, got ${typeof value}` });
    }
  }
  metadataEntries.sort(([left], [right]) => compareUtf8(left, right));
  entries.sort(
    ([leftName, left], [rightName, right]) =>
      SAFETENSORS_DTYPE_WRITE_RANK[right.dtype] - SAFETENSORS_DTYPE_WRITE_RANK[left.dtype] || compareUtf8(leftName, rightName),
  );

  const headerParts: string[] = [];
  if (metadataEntries.length > 0) {
    const fields = metadataEntries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
    headerParts.push(`${JSON.stringify(SAFETENSORS_METADATA_KEY)}:{${fields.join(',')}}`);
  }
  let dataByteLength = 0;
  for (const [name, tensor] of entries) {
    const begin = dataByteLength;
    dataByteLength += tensor.data.length * SAFETENSORS_DTYPE_BYTE_SIZE[tensor.dtype];
    headerParts.push(
      `${JSON.stringify(name)}:{"dtype":"${tensor.dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${begin},${dataByteLength}]}`,
    );
  }
  const headerText = new TextEncoder().encode(`{${headerParts.join(',')}}`);
  const headerByteLength = Math.ceil(headerText.length / 8) * 8;

  const output = new Uint8Array(8 + headerByteLength + dataByteLength);
  new DataView(output.buffer).setBigUint64(0, BigInt(headerByteLength), true);
  output.set(headerText, 8);
  output.fill(0x20, 8 + headerText.length, 8 + headerByteLength);
  let position = 8 + headerByteLength;
  for (const [, tensor] of entries) {
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    output.set(bytes, position);
    toOrFromLittleEndianInPlace(output.subarray(position, position + bytes.length), SAFETENSORS_DTYPE_BYTE_SIZE[tensor.dtype]);
    position += bytes.length;
  }
  return output;
}
