import { InvalidArgumentError, type tf } from '@reca/runtime';
import { CorruptCheckpointError } from '../errors/corrupt-checkpoint-error.js';
import type { DecodedSafetensors } from './decode-safetensors.js';
import type { SafetensorsTensor } from './safetensors-dtype.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { safetensorsToTensors } from './safetensors-to-tensors.js';
import {
  assertCheckpointTensorNames,
  MODEL_TENSOR_PREFIX,
  OPTIMIZER_TENSOR_PREFIX,
  parseTrainingCheckpointMetadata,
  toCorruptCheckpointError,
  type TrainingCheckpointMetadata,
} from './training-checkpoint-format.js';

/** A loaded training checkpoint. The caller owns every tensor in it and must dispose them. */
export interface TrainingCheckpoint extends TrainingCheckpointMetadata {
  /** Model weights by parameter name (prefix `model.` removed), in file order. */
  readonly modelWeights: Map<string, tf.Tensor>;
  /** Optimizer state by name (prefix `optimizer.` removed). */
  readonly optimizerState: Record<string, tf.Tensor>;
}

/**
 * Loads a training checkpoint written by {@link saveTrainingCheckpoint}: tensors as tfjs tensors (F32 → float32,
 * I32 → int32, BOOL → bool; other dtypes as `safetensorsToTensors` converts them), metadata decoded and validated.
 *
 * The caller owns the returned tensors (`modelWeights` and `optimizerState`) and must dispose them. On any error no
 * tensor is left alive.
 *
 * @throws CheckpointNotFoundError naming `path` when no file exists there
 * @throws CorruptCheckpointError naming `path` and the problem when the file is not valid safetensors, is not a RecA
 *   training checkpoint, lacks required metadata, or holds a tensor that cannot be converted
 * @throws UnsupportedCheckpointVersionError when the file's format version is not one this library reads
 */
export async function loadTrainingCheckpoint(path: string): Promise<TrainingCheckpoint> {
  let decoded: DecodedSafetensors;
  try {
    decoded = await readSafetensorsFile(path);
  } catch (error) {
    throw toCorruptCheckpointError(error, path);
  }
  const metadata = parseTrainingCheckpointMetadata(decoded.metadata, path);
  assertCheckpointTensorNames(decoded.tensors.keys(), path);
  const modelEntries = new Map<string, SafetensorsTensor>();
  const optimizerEntries = new Map<string, SafetensorsTensor>();
  for (const [name, entry] of decoded.tensors) {
    if (name.startsWith(MODEL_TENSOR_PREFIX)) modelEntries.set(name.slice(MODEL_TENSOR_PREFIX.length), entry);
    else optimizerEntries.set(name.slice(OPTIMIZER_TENSOR_PREFIX.length), entry);
  }
  let modelWeights: Map<string, tf.Tensor>;
  let optimizerTensors: Map<string, tf.Tensor>;
  try {
    modelWeights = safetensorsToTensors(modelEntries);
    try {
      optimizerTensors = safetensorsToTensors(optimizerEntries);
    } catch (error) {
      for (const tensor of modelWeights.values()) tensor.dispose();
      throw error;
    }
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) {
      throw new CorruptCheckpointError({ path, problem: 'unconvertible-tensor', detail: error.message, cause: error });
    }
    throw error;
  }
  return { ...metadata, modelWeights, optimizerState: Object.fromEntries(optimizerTensors) };
}
