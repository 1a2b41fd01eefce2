import { CorruptCheckpointError, loadModelCheckpoint, type TextTokenizer, WordLevelTokenizer } from '@reca/core';
import { InvalidArgumentError, tf } from '@reca/runtime';
import { AUTOREGRESSIVE_ADAPTER, AutoregressiveUmm } from './autoregressive-umm.js';
import {
  resolveAutoregressiveUmmConfig,
  validateAutoregressiveUmmConfig,
  type AutoregressivePresetName,
  type AutoregressiveUmmConfig,
  type AutoregressiveUmmOverrides,
} from './autoregressive-umm-config.js';
import type { VqTokenizer } from './vq/vq-tokenizer.js';

/** Options of {@link createAutoregressiveUmm}. */
export interface CreateAutoregressiveUmmOptions {
  /** @default 'tiny' */
  preset?: AutoregressivePresetName;
  overrides?: AutoregressiveUmmOverrides;
  /** The text tokenizer (needs a pad token); saved in `getConfig()` when it is a `WordLevelTokenizer`. */
  tokenizer: TextTokenizer;
  /** Seed of the initial weights. @default 0 */
  seed?: number;
  /**
   * A trained VQ tokenizer whose weights are copied into the model's frozen tokenizer (its configuration must equal
   * the model's `vq` configuration). The caller keeps and may dispose it.
   */
  vqTokenizer?: VqTokenizer;
}

/**
 * Builds an autoregressive UMM from a preset (`tiny`, `small`, `base`) and overrides.
 *
 * @example
 * const model = createAutoregressiveUmm({ preset: 'small', tokenizer, seed: 0, overrides: { generator: { mode: 'masked' } } });
 */
export function createAutoregressiveUmm(options: CreateAutoregressiveUmmOptions): AutoregressiveUmm {
  const { preset = 'tiny', overrides, tokenizer, seed = 0, vqTokenizer } = options;
  const config = resolveAutoregressiveUmmConfig(preset, overrides);
  if (vqTokenizer) {
    const expected = JSON.stringify(config.vq);
    const actual = JSON.stringify(vqTokenizer.getConfig());
    if (expected !== actual) {
      throw new InvalidArgumentError({ argument: 'vqTokenizer', message: `its configuration ${actual} differs from the model's vq configuration ${expected}` });
    }
  }
  const model = new AutoregressiveUmm({ config, tokenizer, seed });
  if (vqTokenizer) model.vqTokenizer.loadNamedWeights(vqTokenizer.namedWeights());
  return model;
}

/** Recreates a model from a complete configuration (e.g. `getConfig()` of a saved model) with fresh weights. */
export function createAutoregressiveUmmFromConfig(config: AutoregressiveUmmConfig, tokenizer: TextTokenizer, seed = 0): AutoregressiveUmm {
  validateAutoregressiveUmmConfig(config);
  return new AutoregressiveUmm({ config, tokenizer, seed });
}

/** Options of {@link loadAutoregressiveUmmFromCheckpoint}. */
export interface LoadAutoregressiveUmmOptions {
  /** The text tokenizer, when the checkpoint does not hold a `WordLevelTokenizer`. @default the saved one */
  tokenizer?: TextTokenizer;
}

/**
 * Loads a model saved with `saveModelCheckpoint(path, model)` from `@reca/core`: recreates it from the stored
 * configuration and tokenizer and assigns every weight (VQ tokenizer included).
 *
 * @throws CorruptCheckpointError when the checkpoint is another adapter's or its configuration is unusable.
 */
export async function loadAutoregressiveUmmFromCheckpoint(path: string, options: LoadAutoregressiveUmmOptions = {}): Promise<AutoregressiveUmm> {
  const checkpoint = await loadModelCheckpoint(path);
  try {
    if (checkpoint.adapter !== AUTOREGRESSIVE_ADAPTER) {
      throw new CorruptCheckpointError({ path, problem: 'wrong-adapter', detail: `the checkpoint is for '${checkpoint.adapter}', not '${AUTOREGRESSIVE_ADAPTER}'` });
    }
    const { tokenizer: savedTokenizer, ...rest } = checkpoint.config;
    let tokenizer = options.tokenizer;
    if (!tokenizer) {
      if (savedTokenizer === null || savedTokenizer === undefined) {
        throw new CorruptCheckpointError({ path, problem: 'missing-tokenizer', detail: 'the checkpoint holds no tokenizer; pass options.tokenizer' });
      }
      tokenizer = WordLevelTokenizer.fromJSON(savedTokenizer);
    }
    let model: AutoregressiveUmm;
    try {
      model = createAutoregressiveUmmFromConfig(rest as unknown as AutoregressiveUmmConfig, tokenizer);
    } catch (error) {
      throw new CorruptCheckpointError({ path, problem: 'invalid-config', detail: error instanceof Error ? error.message : String(error), cause: error });
    }
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
