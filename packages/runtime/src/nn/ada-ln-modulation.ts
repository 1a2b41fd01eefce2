import { tf } from '../tf.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { silu } from '../ops/activations.js';
import type { Initializer } from './initializer.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { assertLastDimension, assertPositiveInteger } from './shape-checks.js';

/** Configuration of an {@link AdaLnModulation}. */
export interface AdaLnModulationConfig {
  /** Width of the conditioning vector (e.g. timestep + class embedding). */
  conditionDim: number;
  /** Width of each produced chunk (the modulated feature width). */
  chunkDim: number;
  /** Number of chunks: 6 for a DiT block (shift/scale/gate × attention, MLP), 3 for MAR's ResBlock, 2 for DiT's final layer. */
  chunks: number;
  /** Zero weight and bias (DiT's AdaLN-Zero: every block starts as the identity). @default false */
  zeroInitialize?: boolean;
  /** Local name of the linear: `nn.Sequential(SiLU(), Linear)` makes it `'1'` (`adaLN_modulation.1.weight`). @default '1' */
  linearName?: string;
  random: SeededRandom;
  /** Ignored when `zeroInitialize`. @default { kind: 'pytorch-linear' } */
  weightInitializer?: Initializer;
  /** Ignored when `zeroInitialize`. @default { kind: 'pytorch-linear' } */
  biasInitializer?: Initializer;
}

/**
 * DiT's `adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(conditionDim, chunks · chunkDim))`, followed by
 * `.chunk(chunks, dim=1)`. Use its outputs with {@link modulate} (shift, scale) and as residual gates.
 *
 * Parameters: `1.weight` `[chunks · chunkDim, conditionDim]`, `1.bias` `[chunks · chunkDim]`.
 */
export class AdaLnModulation extends Module {
  readonly chunks: number;
  readonly chunkDim: number;
  readonly linear: Linear;

  constructor(config: AdaLnModulationConfig) {
    super();
    const { conditionDim, chunkDim, chunks, zeroInitialize = false, linearName = '1', random } = config;
    assertPositiveInteger(chunks, 'chunks');
    assertPositiveInteger(chunkDim, 'chunkDim');
    this.chunks = chunks;
    this.chunkDim = chunkDim;
    const zeros: Initializer = { kind: 'zeros' };
    this.linear = this.registerModule(
      linearName,
      new Linear({
        inFeatures: conditionDim,
        outFeatures: chunks * chunkDim,
        random,
        weightInitializer: zeroInitialize ? zeros : config.weightInitializer,
        biasInitializer: zeroInitialize ? zeros : config.biasInitializer,
      }),
    );
  }

  /**
   * @param condition - float32 `[batch, conditionDim]`.
   * @returns `chunks` float32 tensors `[batch, chunkDim]`, in order (DiT block: shift_msa, scale_msa, gate_msa,
   *   shift_mlp, scale_mlp, gate_mlp); the caller owns them.
   */
  forward(condition: tf.Tensor): tf.Tensor2D[] {
    return tf.tidy(() => tf.split(this.linear.forward(silu(condition)), this.chunks, -1) as tf.Tensor2D[]);
  }
}

/**
 * DiT's `modulate(x, shift, scale) = x · (1 + scale) + shift`, with per-sample shift/scale broadcast over tokens.
 *
 * @param input - float32 `[batch, tokens, dim]` or `[batch, dim]`.
 * @param shift - float32 `[batch, dim]`.
 * @param scale - float32 `[batch, dim]`.
 * @returns float32 of `input`'s shape; the caller owns it.
 */
export function modulate(input: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  const dim = input.shape[input.rank - 1] as number;
  assertLastDimension(shift, dim, 'modulate', 'shift');
  assertLastDimension(scale, dim, 'modulate', 'scale');
  return tf.tidy(() => {
    const expand = (tensor: tf.Tensor) => (input.rank === 3 && tensor.rank === 2 ? tf.expandDims(tensor, 1) : tensor);
    return tf.add(tf.mul(input, tf.add(expand(scale), tf.scalar(1))), expand(shift));
  });
}
