import type { SafetensorsHeader } from './decode-safetensors.js';
import { readSafetensorsHeader } from './safetensors-file.js';
import {
  assertCheckpointTensorNames,
  parseTrainingCheckpointMetadata,
  toCorruptCheckpointError,
  type TrainingCheckpointSummary,
} from './training-checkpoint-format.js';

/**
 * Reads a training checkpoint's metadata and tensor list from its header only (8 + N bytes: no tensor data is read and
 * no tensor is created), with the same validation as `loadTrainingCheckpoint` (the header is checked against the
 * file's size, so a truncated file is reported here too).
 *
 * @throws CheckpointNotFoundError naming `path` when no file exists there
 * @throws CorruptCheckpointError naming `path` and the problem for an invalid header or missing/malformed metadata
 * @throws UnsupportedCheckpointVersionError when the file's format version is not one this library reads
 */
export async function readCheckpointMetadata(path: string): Promise<TrainingCheckpointSummary> {
  let header: SafetensorsHeader;
  try {
    header = await readSafetensorsHeader(path);
  } catch (error) {
    throw toCorruptCheckpointError(error, path);
  }
  const metadata = parseTrainingCheckpointMetadata(header.metadata, path);
  assertCheckpointTensorNames(
    header.tensors.map((tensor) => tensor.name),
    path,
  );
  return { ...metadata, tensors: header.tensors };
}
