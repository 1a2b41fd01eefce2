import { SeededRandom, tf } from '@reca/runtime';
import type { GenerationMode } from '../generator/llamagen-transformer-config.js';
import { type GeneratorCondition, LlamaGenTransformer } from '../generator/llamagen-transformer.js';

/**
 * A very small LlamaGen transformer for tests (dim 16, 2 layers, 2 heads, 3×3 grid, 12 codes, condition width 8)
 * whose zero-initialised output head is replaced by random values, so logits depend on the inputs.
 */
export function tinyGenerator(mode: GenerationMode, seed = 0): LlamaGenTransformer {
  const random = new SeededRandom(seed);
  const transformer = new LlamaGenTransformer(
    { dim: 16, numLayers: 2, numHeads: 2, multipleOf: 8, normEpsilon: 1e-5, ropeBase: 10000, initializerRange: 0.5, codebookSize: 12, gridSize: 3, conditionWidth: 8, mode },
    random,
  );
  tf.tidy(() => transformer.output.weight.assign(random.normalTensor([12, 16], 0, 0.5)));
  return transformer;
}

/** A condition of `length` random vectors; `padding[i]` leading positions of sample `i` are masked. The caller owns it. */
export function randomCondition(batchSize: number, length: number, seed: number, padding: readonly number[] = []): GeneratorCondition {
  const random = new SeededRandom(seed);
  const mask = new Float32Array(batchSize * length).fill(1);
  padding.forEach((count, sample) => mask.fill(0, sample * length, sample * length + count));
  return { embeddings: random.normalTensor([batchSize, length, 8]) as tf.Tensor3D, mask: tf.tensor2d(mask, [batchSize, length]) };
}
