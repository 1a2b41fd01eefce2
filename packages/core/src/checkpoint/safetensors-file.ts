import { open, readFile } from 'node:fs/promises';
import { CheckpointNotFoundError } from '../errors/checkpoint-not-found-error.js';
import { decodeSafetensors, parseSafetensorsHeader, readSafetensorsHeaderLength, type DecodedSafetensors, type SafetensorsHeader } from './decode-safetensors.js';
import { encodeSafetensors, type SafetensorsTensorCollection } from './encode-safetensors.js';
import { writeFileAtomically } from './write-file-atomically.js';

function isMissingFileError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * Writes a safetensors file atomically (temporary file in the same directory, fsync, rename): `path` ends up with the
 * complete new file or keeps its old content. See `encodeSafetensors` for the layout.
 *
 * @param path - destination file; its directory must exist
 * @param tensors - tensors by name (see {@link encodeSafetensors})
 * @param metadata - string-to-string `__metadata__`
 * @throws InvalidArgumentError for tensors that cannot be written (before anything touches the disk)
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: SafetensorsTensorCollection,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  await writeFileAtomically(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads and decodes a whole safetensors file (see {@link decodeSafetensors}).
 *
 * @throws CheckpointNotFoundError when no file exists at `path`
 * @throws SafetensorsFormatError naming `path` and the tensor when the file is not valid safetensors
 */
export async function readSafetensorsFile(path: string): Promise<DecodedSafetensors> {
  let contents: Buffer;
  try {
    contents = await readFile(path);
  } catch (error) {
    if (isMissingFileError(error)) throw new CheckpointNotFoundError({ path, cause: error });
    throw error;
  }
  return decodeSafetensors(new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength), { source: path });
}

/**
 * Reads only the header of a safetensors file (8 + N bytes), validating it against the file's size: metadata and
 * tensor entries, without reading any tensor data.
 *
 * @throws CheckpointNotFoundError when no file exists at `path`
 * @throws SafetensorsFormatError naming `path` and the tensor when the header is invalid
 */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissingFileError(error)) throw new CheckpointNotFoundError({ path, cause: error });
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(Math.min(8, size));
    await handle.read(prefix, 0, prefix.length, 0);
    const headerByteLength = readSafetensorsHeaderLength(prefix, size, path);
    const headerBytes = new Uint8Array(headerByteLength);
    let filled = 0;
    while (filled < headerByteLength) {
      const { bytesRead } = await handle.read(headerBytes, filled, headerByteLength - filled, 8 + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return parseSafetensorsHeader(headerBytes.subarray(0, filled), size - 8 - headerByteLength, path);
  } finally {
    await handle.close();
  }
}
