import { tf } from '../tf.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { silu } from '../ops/activations.js';
import type { Initializer } from './initializer.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { sinusoidalTimestepEmbedding } from './timestep-embedding.js';

/** Configuration of a {@link TimestepEmbedder}. */
export interface TimestepEmbedderConfig {
  /** Output width. */
  hiddenSize: number;
  /** Width of the sinusoidal embedding fed to the MLP. @default 256 */
  frequencyEmbeddingSize?: number;
  /** @default 10000 */
  maxPeriod?: number;
  random: SeededRandom;
  /** DiT initialises both weights with N(0, 0.02²). @default { kind: 'normal', standardDeviation: 0.02 } */
  weightInitializer?: Initializer;
  /** @default { kind: 'zeros' } */
  biasInitializer?: Initializer;
}

/**
 * DiT's `TimestepEmbedder`: sinusoidal embedding (cos first, see {@link sinusoidalTimestepEmbedding}) →
 * `Linear` → SiLU → `Linear`.
 *
 * Parameters (DiT naming): `mlp.0.weight` `[hiddenSize, frequencyEmbeddingSize]`, `mlp.0.bias`,
 * `mlp.2.weight` `[hiddenSize, hiddenSize]`, `mlp.2.bias`.
 */
export class TimestepEmbedder extends Module {
  readonly frequencyEmbeddingSize: number;
  readonly maxPeriod: number;
  readonly first: Linear;
  readonly second: Linear;

  constructor(config: TimestepEmbedderConfig) {
    super();
    const { hiddenSize, frequencyEmbeddingSize = 256, maxPeriod = 10000, random } = config;
    const weightInitializer = config.weightInitializer ?? { kind: 'normal', standardDeviation: 0.02 };
    const biasInitializer = config.biasInitializer ?? { kind: 'zeros' };
    this.frequencyEmbeddingSize = frequencyEmbeddingSize;
    this.maxPeriod = maxPeriod;
    this.first = this.registerModule(
      'mlp.0',
      new Linear({ inFeatures: frequencyEmbeddingSize, outFeatures: hiddenSize, random, weightInitializer, biasInitializer }),
    );
    this.second = this.registerModule(
      'mlp.2',
      new Linear({ inFeatures: hiddenSize, outFeatures: hiddenSize, random, weightInitializer, biasInitializer }),
    );
  }

  /**
   * @param timesteps - float32 `[batch]`.
   * @returns float32 `[batch, hiddenSize]`; the caller owns it.
   */
  forward(timesteps: tf.Tensor): tf.Tensor2D {
    return tf.tidy(
      () => this.second.forward(silu(this.first.forward(sinusoidalTimestepEmbedding(timesteps, this.frequencyEmbeddingSize, this.maxPeriod)))) as tf.Tensor2D,
    );
  }
}
