import { tf } from '../tf.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { silu } from '../ops/activations.js';
import { Module } from './module.js';
import { Conv2d } from './conv2d.js';
import { GroupNorm } from './group-norm.js';

/** Configuration of a {@link ResnetBlock}. */
export interface ResnetBlockConfig {
  inChannels: number;
  outChannels: number;
  /** Groups of the two group norms. */
  normGroups: number;
  random: SeededRandom;
}

/**
 * The VQGAN/LDM autoencoder `ResnetBlock` (LlamaGen's `vq_model.py` and LDM's autoencoder share it; no timestep
 * input, no dropout): `h = conv1(silu(norm1(x)))`, `h = conv2(silu(norm2(h)))`,
 * output `shortcut(x) + h`, where the shortcut is the identity or a 1×1 `nin_shortcut` when the width changes.
 *
 * Parameters: `norm1.*`, `conv1.*` (3×3), `norm2.*`, `conv2.*` (3×3), and `nin_shortcut.*` (1×1) when
 * `inChannels ≠ outChannels` — the names of LlamaGen's `tokenizer/tokenizer_image/vq_model.py`.
 */
export class ResnetBlock extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly shortcut: Conv2d | null;

  constructor(config: ResnetBlockConfig) {
    super();
    const { inChannels, outChannels, normGroups, random } = config;
    this.norm1 = this.registerModule('norm1', new GroupNorm({ numGroups: normGroups, numChannels: inChannels }));
    this.conv1 = this.registerModule('conv1', new Conv2d({ inChannels, outChannels, kernelSize: 3, padding: 1, random }));
    this.norm2 = this.registerModule('norm2', new GroupNorm({ numGroups: normGroups, numChannels: outChannels }));
    this.conv2 = this.registerModule('conv2', new Conv2d({ inChannels: outChannels, outChannels, kernelSize: 3, padding: 1, random }));
    this.shortcut =
      inChannels === outChannels
        ? null
        : this.registerModule('nin_shortcut', new Conv2d({ inChannels, outChannels, kernelSize: 1, random }));
  }

  /**
   * @param input - float32 `[batch, height, width, inChannels]`.
   * @returns float32 `[batch, height, width, outChannels]`; the caller owns it.
   */
  forward(input: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const hidden = this.conv2.forward(silu(this.norm2.forward(this.conv1.forward(silu(this.norm1.forward(input)) as tf.Tensor4D))) as tf.Tensor4D);
      const residual = this.shortcut ? this.shortcut.forward(input) : input;
      return tf.add(residual, hidden) as tf.Tensor4D;
    });
  }
}
