/**
 * A spec-exact safetensors reader, written by hand (see `encode-safetensors.ts` for why). It accepts any valid file
 * (tensors in any order, any header padding) and rejects, with a {@link SafetensorsFormatError} naming the source and
 * the tensor, everything the format forbids: a short file, a header length past the end of the file (or above the
 * reference's 100 MB limit), a header that is not UTF-8 JSON or not an object, duplicate names, metadata values that
 * are not strings, malformed entries, unknown dtypes, byte ranges that do not match shape × dtype size, overlapping
 * ranges, holes between ranges, ranges past the end (a truncated file) and trailing bytes.
 */
import { SafetensorsFormatError } from '../errors/safetensors-format-error.js';
import { toOrFromLittleEndianInPlace } from './byte-order.js';
import { SAFETENSORS_METADATA_KEY } from './encode-safetensors.js';
import { findDuplicateJsonKey } from './find-duplicate-json-key.js';
import {
  countElements,
  isSafetensorsDtype,
  SAFETENSORS_DTYPE_BYTE_SIZE,
  SAFETENSORS_DTYPES,
  typedArrayForDtype,
  type SafetensorsTensor,
  type SafetensorsTensorInfo,
} from './safetensors-dtype.js';

/** Largest header the reference implementation accepts (bytes). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** The parsed header of a safetensors file. */
export interface SafetensorsHeader {
  /** The `__metadata__` map; `{}` when the file has none. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor entries sorted by their position in the byte buffer. */
  readonly tensors: readonly SafetensorsTensorInfo[];
  /** `N`: length in bytes of the JSON header (padding included); the byte buffer starts at `8 + N`. */
  readonly headerByteLength: number;
}

/** A decoded safetensors file. */
export interface DecodedSafetensors {
  /** Tensors in file order (by offset). Each `data` is a fresh copy the caller owns. */
  readonly tensors: Map<string, SafetensorsTensor>;
  /** The `__metadata__` map; `{}` when the file has none. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Options of {@link decodeSafetensors}. */
export interface DecodeSafetensorsOptions {
  /**
   * Names the bytes in error messages (a file path, a URL).
   * @default '<bytes>'
   */
  source?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Reads `N` from the first 8 bytes of a safetensors file and checks it against the file's length.
 *
 * @param prefix - at least the file's first 8 bytes (may be fewer when the file is shorter)
 * @param fileByteLength - total length of the file in bytes
 * @param source - names the file in errors
 * @returns `N`, the header length in bytes
 */
export function readSafetensorsHeaderLength(prefix: Uint8Array, fileByteLength: number, source: string): number {
  if (fileByteLength < 8 || prefix.length < 8) {
    throw new SafetensorsFormatError({
      source,
      problem: 'file-too-short',
      detail: `file has ${fileByteLength} bytes, fewer than the 8-byte header length prefix`,
    });
  }
  const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  const available = fileByteLength - 8;
  if (declared > BigInt(available)) {
    throw new SafetensorsFormatError({
      source,
      problem: 'header-length-out-of-range',
      detail: `header length is ${declared} bytes but only ${available} bytes follow the 8-byte prefix (truncated file or not safetensors)`,
    });
  }
  if (declared > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    throw new SafetensorsFormatError({
      source,
      problem: 'header-length-out-of-range',
      detail: `header length ${declared} bytes exceeds the format's limit of ${SAFETENSORS_MAX_HEADER_BYTES} bytes`,
    });
  }
  return Number(declared);
}

function parseTensorEntry(name: string, entry: unknown, source: string): SafetensorsTensorInfo {
  const invalid = (detail: string): SafetensorsFormatError =>
    new SafetensorsFormatError({ source, tensorName: name, problem: 'invalid-tensor-entry', detail });
  if (!isPlainObject(entry)) throw invalid(`entry must be an object with dtype, shape and data_offsets, got ${JSON.stringify(entry)}`);
  const { dtype, shape, data_offsets: dataOffsets } = entry;
  if (typeof dtype !== 'string') throw invalid(`dtype must be a string, got ${JSON.stringify(dtype)}`);
  if (!isSafetensorsDtype(dtype)) {
    throw new SafetensorsFormatError({
      source,
      tensorName: name,
      problem: 'unknown-dtype',
      detail: `dtype '${dtype}' is not supported (supported: ${SAFETENSORS_DTYPES.join(', ')})`,
    });
  }
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    throw invalid(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(dataOffsets) || dataOffsets.length !== 2 || !dataOffsets.every(isSize)) {
    throw invalid(`data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(dataOffsets)}`);
  }
  const [begin, end] = dataOffsets as [number, number];
  if (end < begin) throw invalid(`data_offsets [${begin}, ${end}] end before they begin`);
  const expectedBytes = countElements(shape) * SAFETENSORS_DTYPE_BYTE_SIZE[dtype];
  if (end - begin !== expectedBytes) {
    throw new SafetensorsFormatError({
      source,
      tensorName: name,
      problem: 'size-mismatch',
      detail: `shape [${shape.join(', ')}] of ${dtype} needs ${expectedBytes} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
    });
  }
  return { name, dtype, shape: [...shape], dataOffsets: [begin, end] };
}

/**
 * Parses and validates a safetensors header.
 *
 * @param headerBytes - the `N` header bytes (after the 8-byte prefix)
 * @param dataByteLength - length of the byte buffer that follows the header (file length − 8 − N)
 * @param source - names the file in errors
 * @throws SafetensorsFormatError for every violation of the format
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, dataByteLength: number, source: string): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch (cause) {
    throw new SafetensorsFormatError({ source, problem: 'header-not-utf8', detail: 'header is not valid UTF-8', cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SafetensorsFormatError({ source, problem: 'header-not-json', detail: `header is not valid JSON (${reason})`, cause });
  }
  if (!isPlainObject(parsed)) {
    throw new SafetensorsFormatError({
      source,
      problem: 'header-not-object',
      detail: `header must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`,
    });
  }
  const duplicate = findDuplicateJsonKey(text);
  if (duplicate !== undefined) {
    const topLevel = duplicate.objectPath.length === 0;
    throw new SafetensorsFormatError({
      source,
      tensorName: topLevel && duplicate.key !== SAFETENSORS_METADATA_KEY ? duplicate.key : undefined,
      problem: 'duplicate-name',
      detail: topLevel
        ? `header names '${duplicate.key}' more than once`
        : `key '${duplicate.key}' appears more than once inside '${duplicate.objectPath.join('.')}'`,
    });
  }

  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === SAFETENSORS_METADATA_KEY) {
      if (!isPlainObject(entry)) {
        throw new SafetensorsFormatError({
          source,
          problem: 'invalid-metadata',
          detail: `'${SAFETENSORS_METADATA_KEY}' must be an object of strings, got ${JSON.stringify(entry)}`,
        });
      }
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== 'string') {
          throw new SafetensorsFormatError({
            source,
            problem: 'invalid-metadata',
            detail: `metadata value of '${key}' must be a string, got ${JSON.stringify(value)}`,
          });
        }
      }
      metadata = Object.fromEntries(Object.entries(entry as Record<string, string>));
      continue;
    }
    tensors.push(parseTensorEntry(name, entry, source));
  }

  tensors.sort((left, right) => left.dataOffsets[0] - right.dataOffsets[0] || left.dataOffsets[1] - right.dataOffsets[1]);
  let expectedBegin = 0;
  let previous: SafetensorsTensorInfo | undefined;
  for (const tensor of tensors) {
    const [begin, end] = tensor.dataOffsets;
    if (begin > expectedBegin) {
      throw new SafetensorsFormatError({
        source,
        tensorName: tensor.name,
        problem: 'gap-in-data',
        detail: `data_offsets [${begin}, ${end}] leave bytes [${expectedBegin}, ${begin}) of the byte buffer unused (the format allows no holes)`,
      });
    }
    if (begin < expectedBegin) {
      throw new SafetensorsFormatError({
        source,
        tensorName: tensor.name,
        problem: 'overlapping-offsets',
        detail: `data_offsets [${begin}, ${end}] overlap tensor '${previous?.name}' at [${previous?.dataOffsets.join(', ')}]`,
      });
    }
    expectedBegin = end;
    previous = tensor;
  }
  if (expectedBegin > dataByteLength) {
    const first = tensors.find((tensor) => tensor.dataOffsets[1] > dataByteLength) as SafetensorsTensorInfo;
    throw new SafetensorsFormatError({
      source,
      tensorName: first.name,
      problem: 'out-of-bounds',
      detail:
        `data_offsets [${first.dataOffsets.join(', ')}] reach past the end of the ${dataByteLength}-byte buffer: the file is ` +
        `truncated (${expectedBegin - dataByteLength} bytes missing) or its header is wrong`,
    });
  }
  if (expectedBegin < dataByteLength) {
    throw new SafetensorsFormatError({
      source,
      problem: 'trailing-bytes',
      detail: `tensors cover ${expectedBegin} bytes but the byte buffer has ${dataByteLength} (${dataByteLength - expectedBegin} trailing bytes)`,
    });
  }
  return { metadata, tensors, headerByteLength: headerBytes.length };
}

/**
 * Decodes the bytes of a safetensors file.
 *
 * Every tensor keeps its stored dtype: F16/BF16 as raw `Uint16Array` bits, I64 as `BigInt64Array`, BOOL as 0/1 bytes
 * (`safetensorsToTensors` converts to tfjs dtypes). The data is copied out of `bytes` into aligned arrays.
 *
 * @param bytes - the whole file
 * @throws SafetensorsFormatError naming `options.source` and the offending tensor
 */
export function decodeSafetensors(bytes: Uint8Array, { source = '<bytes>' }: DecodeSafetensorsOptions = {}): DecodedSafetensors {
  const headerByteLength = readSafetensorsHeaderLength(bytes, bytes.length, source);
  const dataStart = 8 + headerByteLength;
  const header = parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, source);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const info of header.tensors) {
    const [begin, end] = info.dataOffsets;
    const copy = bytes.slice(dataStart + begin, dataStart + end);
    toOrFromLittleEndianInPlace(copy, SAFETENSORS_DTYPE_BYTE_SIZE[info.dtype]);
    const data = typedArrayForDtype(info.dtype, copy.buffer, countElements(info.shape));
    tensors.set(info.name, { dtype: info.dtype, shape: info.shape, data } as SafetensorsTensor);
  }
  return { tensors, metadata: header.metadata };
}
