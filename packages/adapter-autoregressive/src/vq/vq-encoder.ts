import { Conv2d, GroupNorm, ResnetBlock } from '@reca/runtime';
import { Module, ModuleList, silu, tf, type SeededRandom } from '@reca/runtime';
import type { VqTokenizerConfig } from './vq-tokenizer-config.js';

/** One resolution level of the encoder: `res.N` blocks and an optional `downsample.conv`. */
class EncoderLevel extends Module {
  readonly res: ModuleList<ResnetBlock>;
  readonly downsample: Module | null;
  readonly downsampleConv: Conv2d | null;

  constructor(inChannels: number, outChannels: number, blocks: number, downsample: boolean, normGroups: number, random: SeededRandom) {
    super();
    this.res = this.registerModule(
      'res',
      new ModuleList(Array.from({ length: blocks }, (_, index) => new ResnetBlock({ inChannels: index === 0 ? inChannels : outChannels, outChannels, normGroups, random }))),
    );
    if (downsample) {
      this.downsample = this.registerModule('downsample', new Module());
      this.downsampleConv = this.downsample.registerModule('conv', new Conv2d({ inChannels: outChannels, outChannels, kernelSize: 3, stride: 2, random }));
    } else {
      this.downsample = null;
      this.downsampleConv = null;
    }
  }

  forward(input: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = input;
      for (const block of this.res) hidden = block.forward(hidden);
      if (this.downsampleConv) {
        // LlamaGen's Downsample: pad (0, 1, 0, 1) then a stride-2 3×3 convolution without padding.
        const padded = tf.pad(hidden, [
          [0, 0],
          [0, 1],
          [0, 1],
          [0, 0],
        ]);
        hidden = this.downsampleConv.forward(padded);
      }
      return hidden;
    });
  }
}

/**
 * The VQ encoder of LlamaGen (`Encoder` in `tokenizer/tokenizer_image/vq_model.py`, itself VQGAN's): `conv_in`, one
 * level per channel multiplier (`conv_blocks.N.res.M`, `conv_blocks.N.downsample.conv` on every level but the
 * last), a middle residual block `mid.0`, `norm_out`, SiLU, `conv_out` → `zChannels`.
 *
 * Differences from LlamaGen, for CPU-sized models: no self-attention blocks (LlamaGen has `attn` at the last level
 * and `mid.1`), one middle residual block instead of two, no dropout.
 */
export class VqEncoder extends Module {
  readonly convIn: Conv2d;
  readonly levels: ModuleList<EncoderLevel>;
  readonly mid: ModuleList<ResnetBlock>;
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(config: VqTokenizerConfig, random: SeededRandom) {
    super();
    const { baseChannels, channelMultipliers, numResBlocks, zChannels, normGroups } = config;
    this.convIn = this.registerModule('conv_in', new Conv2d({ inChannels: 3, outChannels: baseChannels, kernelSize: 3, padding: 1, random }));
    const inputMultipliers = [1, ...channelMultipliers];
    this.levels = this.registerModule(
      'conv_blocks',
      new ModuleList(
        channelMultipliers.map(
          (multiplier, level) =>
            new EncoderLevel(
              baseChannels * (inputMultipliers[level] as number),
              baseChannels * multiplier,
              numResBlocks,
              level !== channelMultipliers.length - 1,
              normGroups,
              random,
            ),
        ),
      ),
    );
    const width = baseChannels * (channelMultipliers[channelMultipliers.length - 1] as number);
    this.mid = this.registerModule('mid', new ModuleList([new ResnetBlock({ inChannels: width, outChannels: width, normGroups, random })]));
    this.normOut = this.registerModule('norm_out', new GroupNorm({ numGroups: normGroups, numChannels: width }));
    this.convOut = this.registerModule('conv_out', new Conv2d({ inChannels: width, outChannels: zChannels, kernelSize: 3, padding: 1, random }));
  }

  /**
   * @param images - float32 `[batch, size, size, 3]` in [−1, 1].
   * @returns float32 `[batch, size/f, size/f, zChannels]` (f the downsampling factor); the caller owns it.
   */
  forward(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.convIn.forward(images);
      for (const level of this.levels) hidden = level.forward(hidden);
      for (const block of this.mid) hidden = block.forward(hidden);
      return this.convOut.forward(silu(this.normOut.forward(hidden)) as tf.Tensor4D);
    });
  }
}
