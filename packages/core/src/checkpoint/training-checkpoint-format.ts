import { CorruptCheckpointError } from '../errors/corrupt-checkpoint-error.js';
import { SafetensorsFormatError } from '../errors/safetensors-format-error.js';
import { UnsupportedCheckpointVersionError } from '../errors/unsupported-checkpoint-version-error.js';
import type { JsonValue } from './json-value.js';
import type { SafetensorsTensorInfo } from './safetensors-dtype.js';

/**
 * Layout of a RecA-TS training checkpoint: one safetensors file whose tensors are the model weights, named
 * `model.<name>`, and the optimizer state, named `optimizer.<name>`, and whose `__metadata__` (string → string) holds:
 * | key | value |
 * | --- | --- |
 * | `format` | `reca-training-checkpoint` |
 * | `format_version` | `1` |
 * | `library` | `@reca/core` |
 * | `step` | JSON integer, e.g. `1200` |
 * | `random_state` | JSON (e.g. a `SeededRandomState`) |
 * | `config` | JSON (the run's configuration) |
 * | `extra.<key>` | free-form strings given by the caller |
 */
export const TRAINING_CHECKPOINT_FORMAT = 'reca-training-checkpoint';
/** Version written by this library; also the only one it reads. */
export const TRAINING_CHECKPOINT_FORMAT_VERSION = '1';
export const TRAINING_CHECKPOINT_LIBRARY = '@reca/core';
export const MODEL_TENSOR_PREFIX = 'model.';
export const OPTIMIZER_TENSOR_PREFIX = 'optimizer.';
export const EXTRA_METADATA_PREFIX = 'extra.';

/** Everything a training checkpoint stores besides the tensors. */
export interface TrainingCheckpointMetadata {
  /** `format_version` of the file. */
  readonly formatVersion: string;
  /** Library that wrote the file. */
  readonly library: string;
  /** Optimisation steps completed when the checkpoint was written. */
  readonly step: number;
  /** Random generator state(s) to resume from, e.g. `SeededRandom#getState()`. */
  readonly randomState: JsonValue;
  /** The run's configuration. */
  readonly config: JsonValue;
  /** Free-form strings given at save time (without the `extra.` prefix); `{}` when none. */
  readonly extra: Readonly<Record<string, string>>;
}

/** Metadata plus the list of tensors, as {@link readCheckpointMetadata} returns without reading tensor data. */
export interface TrainingCheckpointSummary extends TrainingCheckpointMetadata {
  /** Every tensor's full name (with `model.` / `optimizer.` prefix), dtype, shape and byte range, in file order. */
  readonly tensors: readonly SafetensorsTensorInfo[];
}

function parseJsonEntry(metadata: Readonly<Record<string, string>>, key: string, path: string): JsonValue {
  const text = metadata[key];
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new CorruptCheckpointError({
      path,
      problem: 'invalid-metadata',
      detail: `metadata '${key}' is not valid JSON: ${JSON.stringify(text.slice(0, 80))}`,
      cause,
    });
  }
}

/**
 * Validates the `__metadata__` of a training checkpoint and decodes its JSON entries.
 *
 * @param path - names the file in errors
 * @throws CorruptCheckpointError when the file is not a RecA training checkpoint or an entry is missing or malformed
 * @throws UnsupportedCheckpointVersionError when `format_version` is not one this library reads
 */
export function parseTrainingCheckpointMetadata(metadata: Readonly<Record<string, string>>, path: string): TrainingCheckpointMetadata {
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(metadata, key);
  if (!has('format')) {
    throw new CorruptCheckpointError({
      path,
      problem: 'not-a-training-checkpoint',
      detail: `metadata has no 'format' entry: not a RecA training checkpoint (keys: ${Object.keys(metadata).join(', ') || 'none'})`,
    });
  }
  if (metadata.format !== TRAINING_CHECKPOINT_FORMAT) {
    throw new CorruptCheckpointError({
      path,
      problem: 'not-a-training-checkpoint',
      detail: `metadata 'format' is '${metadata.format}', expected '${TRAINING_CHECKPOINT_FORMAT}'`,
    });
  }
  for (const key of ['format_version', 'library', 'step', 'random_state', 'config']) {
    if (!has(key)) throw new CorruptCheckpointError({ path, problem: 'missing-metadata', detail: `required metadata '${key}' is missing` });
  }
  if (metadata.format_version !== TRAINING_CHECKPOINT_FORMAT_VERSION) {
    throw new UnsupportedCheckpointVersionError({
      path,
      foundVersion: metadata.format_version,
      supportedVersions: [TRAINING_CHECKPOINT_FORMAT_VERSION],
    });
  }
  const step = parseJsonEntry(metadata, 'step', path);
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new CorruptCheckpointError({
      path,
      problem: 'invalid-metadata',
      detail: `metadata 'step' must be a non-negative integer, got ${metadata.step}`,
    });
  }
  const extra = Object.fromEntries(
    Object.entries(metadata)
      .filter(([key]) => key.startsWith(EXTRA_METADATA_PREFIX))
      .map(([key, value]) => [key.slice(EXTRA_METADATA_PREFIX.length), value]),
  );
  return {
    formatVersion: metadata.format_version,
    library: metadata.library,
    step,
    randomState: parseJsonEntry(metadata, 'random_state', path),
    config: parseJsonEntry(metadata, 'config', path),
    extra,
  };
}

/** Turns a safetensors format error about a checkpoint file into a {@link CorruptCheckpointError}; other errors pass through. */
export function toCorruptCheckpointError(error: unknown, path: string): unknown {
  if (SafetensorsFormatError.isInstance(error)) {
    return new CorruptCheckpointError({
      path,
      problem: error.problem,
      detail: error.tensorName === undefined ? error.detail : `tensor '${error.tensorName}': ${error.detail}`,
      cause: error,
    });
  }
  return error;
}

/** Throws {@link CorruptCheckpointError} for a tensor name with neither the `model.` nor the `optimizer.` prefix. */
export function assertCheckpointTensorNames(names: Iterable<string>, path: string): void {
  for (const name of names) {
    if (!name.startsWith(MODEL_TENSOR_PREFIX) && !name.startsWith(OPTIMIZER_TENSOR_PREFIX)) {
      throw new CorruptCheckpointError({
        path,
        problem: 'unexpected-tensor',
        detail: `tensor '${name}' belongs to neither '${MODEL_TENSOR_PREFIX}*' nor '${OPTIMIZER_TENSOR_PREFIX}*'`,
      });
    }
  }
}
