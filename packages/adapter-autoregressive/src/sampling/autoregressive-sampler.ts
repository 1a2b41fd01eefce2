import { InvalidArgumentError, SeededRandom, tf } from '@reca/runtime';
import { disposeGeneratorCache, type GeneratorCache, type GeneratorCondition, type LlamaGenTransformer } from '../generator/llamagen-transformer.js';
import { guidedLogits } from './guided-logits.js';
import { stackConditions } from './stack-conditions.js';
import { sampleToken, validateTokenSamplingOptions, type TokenSamplingOptions } from './token-sampling.js';

/** Options of {@link sampleAutoregressive}. */
export interface AutoregressiveSamplingOptions extends TokenSamplingOptions {
  /** The condition of each image. */
  condition: GeneratorCondition;
  /** The null condition (same batch size) for guidance; ignored when `guidanceScale` is 1. */
  unconditionalCondition?: GeneratorCondition;
  /** Classifier-free guidance scale; 1 = none. @default 1 */
  guidanceScale?: number;
  /** Seed of the token draws (one uniform per token, sample by sample, in raster order). */
  seed: number;
  /**
   * Decode with per-layer key/value caches (one new position per step). `false` recomputes the whole sequence
   * every step — slower, the reference the cache must equal.
   * @default true
   */
  useKeyValueCache?: boolean;
}

/**
 * LlamaGen's raster-order sampling (`autoregressive/models/generate.py`): the prefix is encoded once, then each image
 * token is drawn from the (guided) logits of the previous position — temperature, top-k, top-p — and fed back.
 * With guidance the conditional and unconditional sequences run as one batch and share the sampled tokens.
 * Logits are read back with `await tensor.data()` each step; the draws come from `SeededRandom(seed)`, so the same
 * seed gives the same tokens with and without the cache.
 *
 * @param transformer - a next-token-mode generator.
 * @returns int32 token ids, row-major `[batch, gridSize²]`.
 */
export async function sampleAutoregressive(transformer: LlamaGenTransformer, options: AutoregressiveSamplingOptions): Promise<Int32Array> {
  const { condition, unconditionalCondition, guidanceScale = 1, seed, useKeyValueCache = true } = options;
  if (transformer.config.mode !== 'next-token') {
    throw new InvalidArgumentError({ argument: 'transformer', message: `autoregressive sampling needs a 'next-token' generator, got mode '${transformer.config.mode}'` });
  }
  validateTokenSamplingOptions(options);
  const guided = guidanceScale !== 1;
  if (guided && !unconditionalCondition) {
    throw new InvalidArgumentError({ argument: 'unconditionalCondition', message: `is required when guidanceScale is ${guidanceScale} (≠ 1)` });
  }
  const batchSize = condition.embeddings.shape[0];
  const tokens = transformer.imageTokens;
  const codebookSize = transformer.config.codebookSize;
  const random = new SeededRandom(seed);
  const sequences = guided ? stackConditions([condition, unconditionalCondition as GeneratorCondition]) : { embeddings: condition.embeddings.clone(), mask: tf.cast(condition.mask, 'float32') as tf.Tensor2D };
  const rows = guided ? 2 * batchSize : batchSize;
  const prefixLength = sequences.embeddings.shape[1];
  const result = new Int32Array(batchSize * tokens);
  let cache: GeneratorCache | null = null;

  const draw = async (logits: tf.Tensor2D, position: number): Promise<number[]> => {
    const combined = guided ? (guidedLogits(logits, guidanceScale) as tf.Tensor2D) : logits;
    const values = await combined.data();
    if (combined !== logits) combined.dispose();
    const drawn: number[] = [];
    for (let sample = 0; sample < batchSize; sample++) {
      const { token } = sampleToken(values.subarray(sample * codebookSize, (sample + 1) * codebookSize), options, random);
      result[sample * tokens + position] = token;
      drawn.push(token);
    }
    return drawn;
  };

  try {
    if (useKeyValueCache) {
      const prefix = transformer.embedCondition(sequences);
      const step = transformer.decodeStep(prefix, sequences.mask, prefixLength, null);
      prefix.dispose();
      cache = step.cache;
      let drawn = await draw(step.logits, 0);
      step.logits.dispose();
      for (let position = 1; position < tokens; position++) {
        const ids = guided ? [...drawn, ...drawn] : drawn;
        const input = tf.tidy(() => transformer.tokenEmbeddings.forward(tf.tensor2d(ids, [rows, 1], 'int32')) as tf.Tensor3D);
        const ones = tf.ones([rows, 1]) as tf.Tensor2D;
        const next: { logits: tf.Tensor2D; cache: GeneratorCache } = transformer.decodeStep(input, ones, prefixLength, cache);
        tf.dispose([input, ones]);
        disposeGeneratorCache(cache);
        cache = next.cache;
        drawn = await draw(next.logits, position);
        next.logits.dispose();
      }
    } else {
      for (let position = 0; position < tokens; position++) {
        const logits = tf.tidy(() => {
          const known = new Int32Array(rows * (position + 1));
          for (let row = 0; row < rows; row++) {
            const sample = row % batchSize;
            for (let index = 0; index < position; index++) known[row * (position + 1) + index] = result[sample * tokens + index] as number;
          }
          const all = transformer.imageLogits(sequences, tf.tensor2d(known, [rows, position + 1], 'int32'));
          return tf.reshape(tf.slice(all, [0, position, 0], [rows, 1, codebookSize]), [rows, codebookSize]) as tf.Tensor2D;
        });
        await draw(logits, position);
        logits.dispose();
      }
    }
  } finally {
    if (cache) disposeGeneratorCache(cache);
    tf.dispose([sequences.embeddings, sequences.mask]);
  }
  return result;
}
