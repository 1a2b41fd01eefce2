import { loadModelCheckpoint } from '@reca/core';
import { InvalidArgumentError, tf } from '@reca/runtime';
import { createDiffusionUmmFromConfig } from './create-diffusion-umm.js';
import type { DiffusionUmm } from './diffusion-umm.js';

/**
 * Loads a model saved with `saveModelCheckpoint(path, model)` (`@reca/core`): recreates it from the stored
 * configuration and assigns the stored weights.
 *
 * @param path - a `.safetensors` model checkpoint.
 * @throws InvalidArgumentError when the checkpoint belongs to another adapter; CheckpointNotFoundError /
 *   CorruptCheckpointError (from `@reca/core`) for unreadable files.
 */
export async function loadDiffusionUmmFromCheckpoint(path: string): Promise<DiffusionUmm> {
  const checkpoint = await loadModelCheckpoint(path);
  try {
    if (checkpoint.adapter !== '@reca/adapter-diffusion' || checkpoint.family !== 'diffusion') {
      throw new InvalidArgumentError({
        argument: 'path',
        message: `${path} holds a '${checkpoint.family}' model of adapter '${checkpoint.adapter}', not '@reca/adapter-diffusion'`,
      });
    }
    const model = createDiffusionUmmFromConfig(checkpoint.config);
    try {
      model.loadNamedWeights(Object.fromEntries(checkpoint.weights));
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  } finally {
    tf.dispose([...checkpoint.weights.values()]);
  }
}
