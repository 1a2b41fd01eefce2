import { loadModelCheckpoint, type TextTokenizer, WordLevelTokenizer } from '@reca/core';
import { InvalidArgumentError, tf } from '@reca/runtime';
import { maskedAutoregressiveAdapterName, MaskedAutoregressiveUmm, type MaskedAutoregressiveUmmSavedConfig } from './masked-autoregressive-umm.js';

/** Options of {@link loadMaskedAutoregressiveUmmFromCheckpoint}. */
export interface LoadMaskedAutoregressiveUmmOptions {
  /** Required when the checkpoint's tokenizer is not a word-level one (its JSON is not stored). */
  tokenizer?: TextTokenizer;
}

/**
 * Recreates a model saved with `saveModelCheckpoint(path, model)` (`@reca/core`): configuration, tokenizer and all
 * weights, the autoencoder's scaling factor and the stack's mode included.
 *
 * @throws InvalidArgumentError when the checkpoint belongs to another adapter or lacks what is needed.
 */
export async function loadMaskedAutoregressiveUmmFromCheckpoint(path: string, options: LoadMaskedAutoregressiveUmmOptions = {}): Promise<MaskedAutoregressiveUmm> {
  const checkpoint = await loadModelCheckpoint(path);
  try {
    if (checkpoint.adapter !== maskedAutoregressiveAdapterName) {
      throw new InvalidArgumentError({ argument: 'path', message: `${path} holds a model of adapter '${checkpoint.adapter}', not '${maskedAutoregressiveAdapterName}'` });
    }
    const saved = checkpoint.config as MaskedAutoregressiveUmmSavedConfig;
    if (!saved.config || typeof saved.seed !== 'number' || !saved.tokenizer) {
      throw new InvalidArgumentError({ argument: 'path', message: `${path}: the saved configuration lacks config, seed or tokenizer` });
    }
    let tokenizer = options.tokenizer;
    if (!tokenizer) {
      if (saved.tokenizer.type !== 'word-level' || saved.tokenizer.json === undefined) {
        throw new InvalidArgumentError({ argument: 'options.tokenizer', message: `the checkpoint's '${saved.tokenizer.type}' tokenizer is not stored; pass it` });
      }
      tokenizer = WordLevelTokenizer.fromJSON(saved.tokenizer.json);
    }
    const model = new MaskedAutoregressiveUmm({ config: saved.config, tokenizer, seed: saved.seed, preset: saved.preset ?? undefined });
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
