import { InvalidArgumentError, type tf } from '@reca/runtime';
import { CorruptCheckpointError } from '../errors/corrupt-checkpoint-error.js';
import type { UnifiedMultimodalModelV1 } from '../unified-model/v1/unified-model-v1.js';
import type { DecodedSafetensors } from './decode-safetensors.js';
import { readSafetensorsFile, readSafetensorsHeader } from './safetensors-file.js';
import { safetensorsToTensors } from './safetensors-to-tensors.js';
import { tensorsToSafetensors } from './tensors-to-safetensors.js';
import { toCorruptCheckpointError } from './training-checkpoint-format.js';
import { writeSafetensorsFile } from './safetensors-file.js';

/** `__metadata__.format` of a model checkpoint (weights + what recreates the model). */
export const MODEL_CHECKPOINT_FORMAT = 'reca-model';
export const MODEL_CHECKPOINT_FORMAT_VERSION = '1';

/** What a model checkpoint says about the model, read from its header. */
export interface ModelCheckpointInfo {
  /** The generator family, e.g. `'diffusion'`. */
  readonly family: string;
  /** The adapter package that can recreate the model, e.g. `'@reca/adapter-diffusion'`. */
  readonly adapter: string;
  readonly modelId: string;
  /** `model.getConfig()` at save time. */
  readonly config: Record<string, unknown>;
  /** Free-form strings saved with the model (`extra.<key>`), e.g. how it was produced. */
  readonly extra: Readonly<Record<string, string>>;
}

/** A loaded model checkpoint; the caller owns the weight tensors. */
export interface ModelCheckpoint extends ModelCheckpointInfo {
  readonly weights: Map<string, tf.Tensor>;
}

/**
 * Saves a model's weights (all of them, by reference name) with its family, adapter, id and configuration in the
 * safetensors metadata, atomically. This is what `reca sample` and the recipes load; training state (optimizer, step,
 * random stream) goes in `saveRecaCheckpoint` instead.
 */
export async function saveModelCheckpoint(
  path: string,
  model: UnifiedMultimodalModelV1,
  extra: Readonly<Record<string, string>> = {},
): Promise<void> {
  const metadata: Record<string, string> = {
    format: MODEL_CHECKPOINT_FORMAT,
    format_version: MODEL_CHECKPOINT_FORMAT_VERSION,
    family: model.family,
    adapter: model.adapter,
    model_id: model.modelId,
    config: JSON.stringify(model.getConfig()),
  };
  for (const [key, value] of Object.entries(extra)) {
    if (typeof value !== 'string') throw new InvalidArgumentError({ argument: `extra.${key}`, message: 'must be a string' });
    metadata[`extra.${key}`] = value;
  }
  await writeSafetensorsFile(path, await tensorsToSafetensors(model.namedWeights()), metadata);
}

function parseInfo(metadata: Readonly<Record<string, string>>, path: string): ModelCheckpointInfo {
  const missing = ['format', 'family', 'adapter', 'model_id', 'config'].filter((key) => metadata[key] === undefined);
  if (missing.length > 0 || metadata['format'] !== MODEL_CHECKPOINT_FORMAT) {
    throw new CorruptCheckpointError({
      path,
      problem: 'not-a-model-checkpoint',
      detail:
        metadata['format'] !== undefined && metadata['format'] !== MODEL_CHECKPOINT_FORMAT
          ? `format is '${metadata['format']}', expected '${MODEL_CHECKPOINT_FORMAT}'`
          : `metadata lacks ${missing.join(', ')}`,
    });
  }
  let config: unknown;
  try {
    config = JSON.parse(metadata['config'] as string);
  } catch (error) {
    throw new CorruptCheckpointError({ path, problem: 'invalid-config', detail: 'metadata config is not JSON', cause: error });
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new CorruptCheckpointError({ path, problem: 'invalid-config', detail: 'metadata config is not a JSON object' });
  }
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) if (key.startsWith('extra.')) extra[key.slice('extra.'.length)] = value;
  return {
    family: metadata['family'] as string,
    adapter: metadata['adapter'] as string,
    modelId: metadata['model_id'] as string,
    config: config as Record<string, unknown>,
    extra,
  };
}

/** Reads only what a model checkpoint says about its model (header only: cheap, for `reca info` and dispatch). */
export async function readModelCheckpointInfo(path: string): Promise<ModelCheckpointInfo> {
  let header;
  try {
    header = await readSafetensorsHeader(path);
  } catch (error) {
    throw toCorruptCheckpointError(error, path);
  }
  return parseInfo(header.metadata, path);
}

/**
 * Loads a model checkpoint written by {@link saveModelCheckpoint}. The caller owns the returned weights.
 * @throws CheckpointNotFoundError / CorruptCheckpointError naming the path and the problem.
 */
export async function loadModelCheckpoint(path: string): Promise<ModelCheckpoint> {
  let decoded: DecodedSafetensors;
  try {
    decoded = await readSafetensorsFile(path);
  } catch (error) {
    throw toCorruptCheckpointError(error, path);
  }
  const info = parseInfo(decoded.metadata, path);
  try {
    return { ...info, weights: safetensorsToTensors(decoded.tensors) };
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) {
      throw new CorruptCheckpointError({ path, problem: 'unconvertible-tensor', detail: error.message, cause: error });
    }
    throw error;
  }
}
