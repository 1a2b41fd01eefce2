import { existsSync } from 'node:fs';
import { type ModelCheckpointInfo, readModelCheckpointInfo } from '@reca/core';
import { RecaError } from '@reca/runtime';
import { CliInputError } from '../cli-input-error.js';
import { isModelFamily, type ModelFamily, modelFamilies } from './model-family.js';
import { modelRegistry, type RegisteredModel } from './model-registry.js';

/**
 * Reads what a model checkpoint says about its model, checking that it exists, is a model checkpoint and holds a
 * family the CLI knows (and `expectedFamily`, when given).
 *
 * @param path - absolute path of a `.safetensors` model checkpoint (`saveModelCheckpoint`).
 * @param flag - the flag that named it, for the message (e.g. `--checkpoint`).
 * @throws CliInputError with a hint for a missing file, another kind of file, an unknown or unexpected family.
 */
export async function readCheckpointModelInfo(
  path: string,
  { flag, expectedFamily }: { flag: string; expectedFamily?: ModelFamily | undefined },
): Promise<ModelCheckpointInfo & { family: ModelFamily }> {
  if (!existsSync(path)) {
    throw new CliInputError({
      message: `${flag}: checkpoint '${path}' does not exist`,
      hint: 'check the path; model checkpoints are written by reca pretrain / reca posttrain as RUN/model.safetensors',
    });
  }
  let info: ModelCheckpointInfo;
  try {
    info = await readModelCheckpointInfo(path);
  } catch (error) {
    throw new CliInputError({
      message: `${flag}: '${path}' is not a model checkpoint: ${RecaError.isInstance(error) ? error.message : String(error)}`,
      hint: 'pass a model checkpoint (RUN/model.safetensors); training checkpoints under RUN/checkpoints/ are for --resume',
      cause: error,
    });
  }
  if (!isModelFamily(info.family)) {
    throw new CliInputError({
      message: `${flag}: '${path}' holds a '${info.family}' model (adapter ${info.adapter}), which the reca CLI cannot load`,
      hint: `the CLI loads ${modelFamilies.join(', ')} models`,
    });
  }
  if (expectedFamily !== undefined && info.family !== expectedFamily) {
    throw new CliInputError({
      message: `${flag}: '${path}' holds a ${info.family} model, expected ${expectedFamily}`,
      hint: `pass a ${expectedFamily} checkpoint, or drop --family / change it to ${info.family}`,
    });
  }
  if (info.adapter !== modelRegistry[info.family].adapter) {
    throw new CliInputError({
      message: `${flag}: '${path}' was written by adapter '${info.adapter}', expected '${modelRegistry[info.family].adapter}' for the ${info.family} family`,
      hint: 'use a checkpoint written by this version of RecA-TS',
    });
  }
  return { ...info, family: info.family };
}

/**
 * Loads a model checkpoint through the registry entry of its family (see {@link readCheckpointModelInfo} for checks).
 * The caller owns (and disposes) the model.
 */
export async function loadCheckpointModel(
  path: string,
  options: { flag: string; expectedFamily?: ModelFamily | undefined },
): Promise<{ model: RegisteredModel; info: ModelCheckpointInfo & { family: ModelFamily } }> {
  const info = await readCheckpointModelInfo(path, options);
  try {
    return { model: await modelRegistry[info.family].load(path), info };
  } catch (error) {
    throw new CliInputError({
      message: `${options.flag}: cannot load '${path}': ${RecaError.isInstance(error) ? error.message : String(error)}`,
      hint: 'the file may be damaged or from another version; re-create it with reca pretrain',
      cause: error,
    });
  }
}
