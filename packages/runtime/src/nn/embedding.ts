import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { initializeParameter, type Initializer } from './initializer.js';
import { Module } from './module.js';

/** Configuration of an {@link Embedding} table. */
export interface EmbeddingConfig {
  /** Number of rows (vocabulary size). */
  numEmbeddings: number;
  /** Size of each row. */
  embeddingDim: number;
  /** Stream the initial table is drawn from. */
  random: SeededRandom;
  /** Initial `weight`. @default { kind: 'normal', standardDeviation: 1 } (PyTorch's default) */
  initializer?: Initializer;
}

/**
 * A lookup table (PyTorch's `nn.Embedding`).
 *
 * Parameter: `weight` float32 `[numEmbeddings, embeddingDim]`.
 *
 * The forward pass is `tf.gather`; its gradient is `UnsortedSegmentSum`, which the runtime registers on backends that
 * lack it (wasm), so it trains everywhere. Ids are not range-checked (that would read them back from the device);
 * an id outside `[0, numEmbeddings)` gives backend-dependent results.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly weight: tf.Variable;

  constructor(config: EmbeddingConfig) {
    super();
    const { numEmbeddings, embeddingDim, random, initializer = { kind: 'normal', standardDeviation: 1 } } = config;
    for (const [argument, value] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
      }
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = this.registerParameter('weight', initializeParameter([numEmbeddings, embeddingDim], initializer, random));
  }

  /**
   * @param ids - int32 `[...]` row indices in `[0, numEmbeddings)`.
   * @returns float32 `[..., embeddingDim]`; the caller owns it.
   */
  forward(ids: tf.Tensor): tf.Tensor {
    if (ids.dtype !== 'int32') {
      throw new InvalidArgumentError({ argument: 'ids', message: `must be an int32 tensor, got dtype ${ids.dtype}` });
    }
    return tf.tidy(() => {
      const rows = tf.gather(this.weight, tf.reshape(ids, [-1]));
      return tf.reshape(rows, [...ids.shape, this.embeddingDim]);
    });
  }
}
