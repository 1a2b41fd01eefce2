import { tf } from '../tf.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { applyActivation, type ActivationName } from '../ops/activations.js';
import type { Initializer } from './initializer.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { assertPositiveInteger } from './shape-checks.js';

/** Configuration of an {@link Mlp}. */
export interface MlpConfig {
  /** Input width. */
  inFeatures: number;
  /** Hidden width (ViT/DiT: 4 · inFeatures). */
  hiddenFeatures: number;
  /** Output width. @default inFeatures */
  outFeatures?: number;
  /** Bias on both linears. @default true */
  bias?: boolean;
  /** Activation between the linears. @default 'gelu-tanh' (DiT's `GELU(approximate='tanh')`) */
  activation?: ActivationName;
  /**
   * Local names of the two linears: timm's `Mlp` uses `['fc1', 'fc2']`; an `nn.Sequential(Linear, act, Linear)` uses
   * `['0', '2']`.
   * @default ['fc1', 'fc2']
   */
  layerNames?: readonly [string, string];
  random: SeededRandom;
  /** @default { kind: 'pytorch-linear' } */
  weightInitializer?: Initializer;
  /** @default { kind: 'pytorch-linear' } */
  biasInitializer?: Initializer;
}

/**
 * Two-layer perceptron `fc2(act(fc1(x)))` (timm's `Mlp`, the transformer feed-forward of ViT/DiT/MAR).
 *
 * Parameters: `fc1.weight` `[hiddenFeatures, inFeatures]`, `fc1.bias`, `fc2.weight` `[outFeatures, hiddenFeatures]`,
 * `fc2.bias`.
 */
export class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly activation: ActivationName;

  constructor(config: MlpConfig) {
    super();
    const { inFeatures, hiddenFeatures, outFeatures = inFeatures, bias = true, activation = 'gelu-tanh', random } = config;
    assertPositiveInteger(hiddenFeatures, 'hiddenFeatures');
    const [firstName, secondName] = config.layerNames ?? ['fc1', 'fc2'];
    const initializers = { weightInitializer: config.weightInitializer, biasInitializer: config.biasInitializer };
    this.fc1 = this.registerModule(firstName, new Linear({ inFeatures, outFeatures: hiddenFeatures, bias, random, ...initializers }));
    this.fc2 = this.registerModule(secondName, new Linear({ inFeatures: hiddenFeatures, outFeatures, bias, random, ...initializers }));
    this.activation = activation;
  }

  /**
   * @param input - float32 `[..., inFeatures]`.
   * @returns float32 `[..., outFeatures]`; the caller owns it.
   */
  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(applyActivation(this.fc1.forward(input), this.activation)));
  }
}
