import { CorruptCheckpointError, readSafetensorsFile, safetensorsToTensors, tensorsToSafetensors, writeSafetensorsFile } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';
import { VqTokenizer } from './vq-tokenizer.js';
import { validateVqTokenizerConfig, type VqTokenizerConfig } from './vq-tokenizer-config.js';

/** `__metadata__.format` of a VQ tokenizer file. */
export const VQ_TOKENIZER_FORMAT = 'reca-vq-tokenizer';

/**
 * Saves a VQ tokenizer's weights (LlamaGen names: `encoder.*`, `quant_conv.*`, `quantize.embedding.weight`, …) and
 * its configuration (`__metadata__.config`) to a safetensors file, atomically.
 */
export async function saveVqTokenizer(path: string, tokenizer: VqTokenizer): Promise<void> {
  await writeSafetensorsFile(path, await tensorsToSafetensors(tokenizer.namedWeights()), {
    format: VQ_TOKENIZER_FORMAT,
    config: JSON.stringify(tokenizer.getConfig()),
  });
}

/** Options of {@link loadVqTokenizer}. */
export interface LoadVqTokenizerOptions {
  /** Leave the parameters frozen (not trainable), as a generator uses the tokenizer. @default true */
  frozen?: boolean;
}

/**
 * Loads a VQ tokenizer saved by {@link saveVqTokenizer} (frozen by default).
 *
 * @throws CheckpointNotFoundError / SafetensorsFormatError / CorruptCheckpointError naming the path and the problem.
 */
export async function loadVqTokenizer(path: string, options: LoadVqTokenizerOptions = {}): Promise<VqTokenizer> {
  const decoded = await readSafetensorsFile(path);
  if (decoded.metadata['format'] !== VQ_TOKENIZER_FORMAT || decoded.metadata['config'] === undefined) {
    throw new CorruptCheckpointError({
      path,
      problem: 'not-a-vq-tokenizer',
      detail: `metadata format is '${decoded.metadata['format'] ?? '(missing)'}', expected '${VQ_TOKENIZER_FORMAT}' with a config`,
    });
  }
  let config: VqTokenizerConfig;
  try {
    config = JSON.parse(decoded.metadata['config']) as VqTokenizerConfig;
    validateVqTokenizerConfig(config);
  } catch (error) {
    throw new CorruptCheckpointError({ path, problem: 'invalid-config', detail: error instanceof Error ? error.message : String(error), cause: error });
  }
  const tokenizer = new VqTokenizer(config, new SeededRandom(0));
  const weights = safetensorsToTensors(decoded.tensors);
  try {
    tokenizer.loadNamedWeights(weights);
  } catch (error) {
    tokenizer.dispose();
    throw error;
  } finally {
    tf.dispose([...weights.values()]);
  }
  tokenizer.setTrainable(options.frozen === false);
  return tokenizer;
}
