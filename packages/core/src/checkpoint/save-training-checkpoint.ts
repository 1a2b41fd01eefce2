import { InvalidArgumentError, type tf } from '@reca/runtime';
import { collectionEntries, encodeSafetensors } from './encode-safetensors.js';
import { assertJsonValue } from './json-value.js';
import type { SafetensorsTensor } from './safetensors-dtype.js';
import { tensorToSafetensors } from './tensors-to-safetensors.js';
import {
  EXTRA_METADATA_PREFIX,
  MODEL_TENSOR_PREFIX,
  OPTIMIZER_TENSOR_PREFIX,
  TRAINING_CHECKPOINT_FORMAT,
  TRAINING_CHECKPOINT_FORMAT_VERSION,
  TRAINING_CHECKPOINT_LIBRARY,
} from './training-checkpoint-format.js';
import { writeFileAtomically } from './write-file-atomically.js';

/** What a training checkpoint holds, as given to {@link saveTrainingCheckpoint}. */
export interface TrainingCheckpointInput {
  /** Model weights by parameter name: float32, int32 or bool tensors of any shape (e.g. `decoder.layers.0.weight`). */
  modelWeights: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;
  /** Optimizer state by name (e.g. `decoder.layers.0.weight.exp_avg`, `step`): float32, int32 or bool tensors. */
  optimizerState: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;
  /** Optimisation steps completed: a non-negative integer. */
  step: number;
  /** Random generator state(s) to resume from; JSON data (e.g. `SeededRandom#getState()`). */
  randomState: unknown;
  /** The run's configuration; JSON data. */
  config: unknown;
  /** Free-form strings stored as `extra.<key>` in the metadata. */
  extra?: Readonly<Record<string, string>>;
}

async function prefixedEntries(
  prefix: string,
  argument: string,
  tensors: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>,
  into: Map<string, SafetensorsTensor>,
): Promise<void> {
  if (tensors === null || typeof tensors !== 'object') {
    throw new InvalidArgumentError({ argument, message: 'must be a Map or a plain object of tensors' });
  }
  for (const [name, tensor] of collectionEntries(tensors)) {
    if (name.length === 0) throw new InvalidArgumentError({ argument, message: 'tensor names must not be empty' });
    into.set(`${prefix}${name}`, await tensorToSafetensors(`${prefix}${name}`, tensor));
  }
}

/**
 * Saves a training checkpoint to one safetensors file, atomically (temporary file, fsync, rename): `path` holds the
 * complete new checkpoint or keeps the previous one, never a half-written file.
 *
 * Tensors are stored as `model.<name>` and `optimizer.<name>` (float32 → F32, int32 → I32, bool → BOOL, values exact);
 * step, random state, config, format version, library name and `extra` go into `__metadata__` (see
 * `training-checkpoint-format.ts`). Creates no tensors and disposes none.
 *
 * @param path - destination `.safetensors` file; its directory must exist
 * @throws InvalidArgumentError (before touching the disk) for a non-integer step, non-JSON random state or config,
 *   non-string extra values, or tensors of an unsupported dtype
 */
export async function saveTrainingCheckpoint(path: string, checkpoint: TrainingCheckpointInput): Promise<void> {
  const { modelWeights, optimizerState, step, randomState, config, extra = {} } = checkpoint;
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new InvalidArgumentError({ argument: 'step', message: `must be a non-negative integer, got ${step}` });
  }
  assertJsonValue(randomState, 'randomState');
  assertJsonValue(config, 'config');
  const metadata: Record<string, string> = {
    format: TRAINING_CHECKPOINT_FORMAT,
    format_version: TRAINING_CHECKPOINT_FORMAT_VERSION,
    library: TRAINING_CHECKPOINT_LIBRARY,
    step: JSON.stringify(step),
    random_state: JSON.stringify(randomState),
    config: JSON.stringify(config),
  };
  for (const [key, value] of Object.entries(extra)) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError({ argument: `extra.${key}`, message: `must be a string, got ${typeof value}` });
    }
    metadata[`${EXTRA_METADATA_PREFIX}${key}`] = value;
  }
  const tensors = new Map<string, SafetensorsTensor>();
  await prefixedEntries(MODEL_TENSOR_PREFIX, 'modelWeights', modelWeights, tensors);
  await prefixedEntries(OPTIMIZER_TENSOR_PREFIX, 'optimizerState', optimizerState, tensors);
  await writeFileAtomically(path, encodeSafetensors(tensors, metadata));
}
