import { tf } from '../tf.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { silu } from '../ops/activations.js';
import type { Initializer } from './initializer.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { assertPositiveInteger } from './shape-checks.js';

/** Configuration of a {@link SwiGluMlp}. */
export interface SwiGluMlpConfig {
  /** Model width (input and output). */
  dim: number;
  /** Hidden width; LLaMA derives it with {@link llamaHiddenDim}. */
  hiddenDim: number;
  /** Bias on the three linears (LLaMA: none). @default false */
  bias?: boolean;
  /**
   * Local names of the gate, down and up projections. LLaMA/LlamaGen: `['w1', 'w2', 'w3']`; HF LLaMA/Qwen2:
   * `['gate_proj', 'down_proj', 'up_proj']`.
   * @default ['w1', 'w2', 'w3']
   */
  layerNames?: readonly [gate: string, down: string, up: string];
  random: SeededRandom;
  /** @default { kind: 'pytorch-linear' } */
  weightInitializer?: Initializer;
  /** Initial weight of the down projection `w2` (GPT-style scaled residual init). @default weightInitializer */
  downWeightInitializer?: Initializer;
}

/**
 * LLaMA's gated feed-forward: `w2(silu(w1(x)) · w3(x))`.
 *
 * Parameters (registered in LLaMA's order): `w1.weight` `[hiddenDim, dim]`, `w2.weight` `[dim, hiddenDim]`,
 * `w3.weight` `[hiddenDim, dim]`.
 */
export class SwiGluMlp extends Module {
  readonly gate: Linear;
  readonly down: Linear;
  readonly up: Linear;

  constructor(config: SwiGluMlpConfig) {
    super();
    const { dim, hiddenDim, bias = false, random } = config;
    assertPositiveInteger(dim, 'dim');
    assertPositiveInteger(hiddenDim, 'hiddenDim');
    const [gateName, downName, upName] = config.layerNames ?? ['w1', 'w2', 'w3'];
    const weightInitializer = config.weightInitializer;
    this.gate = this.registerModule(gateName, new Linear({ inFeatures: dim, outFeatures: hiddenDim, bias, random, weightInitializer }));
    this.down = this.registerModule(
      downName,
      new Linear({ inFeatures: hiddenDim, outFeatures: dim, bias, random, weightInitializer: config.downWeightInitializer ?? weightInitializer }),
    );
    this.up = this.registerModule(upName, new Linear({ inFeatures: dim, outFeatures: hiddenDim, bias, random, weightInitializer }));
  }

  /**
   * @param input - float32 `[..., dim]`.
   * @returns float32 `[..., dim]`; the caller owns it.
   */
  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.down.forward(tf.mul(silu(this.gate.forward(input)), this.up.forward(input))));
  }
}

/**
 * LLaMA's hidden width of the SwiGLU feed-forward: `h = int(2 · 4·dim / 3)`, scaled by `ffnDimMultiplier` when
 * given, then rounded up to a multiple of `multipleOf` (e.g. dim 4096, multipleOf 256 → 11008).
 */
export function llamaHiddenDim(dim: number, multipleOf = 256, ffnDimMultiplier?: number): number {
  let hidden = Math.trunc((2 * (4 * dim)) / 3);
  if (ffnDimMultiplier !== undefined) hidden = Math.trunc(ffnDimMultiplier * hidden);
  return multipleOf * Math.ceil(hidden / multipleOf);
}
