import { Conv2d, GroupNorm, ResnetBlock } from '@reca/runtime';
import { Module, ModuleList, type SeededRandom, silu, tf } from '@reca/runtime';
import type { KlAutoencoderConfig } from './kl-autoencoder-config.js';

/** One resolution level of the encoder: residual blocks, then (except the last level) a stride-2 convolution. */
class EncoderLevel extends Module {
  readonly blocks: ModuleList<ResnetBlock>;
  readonly downsample: Conv2d | null;

  constructor(blocks: ResnetBlock[], downsampleChannels: number | null, random: SeededRandom) {
    super();
    this.blocks = this.registerModule('block', new ModuleList(blocks));
    // LDM's Downsample(with_conv=True): pad (0, 1, 0, 1), then a 3×3 convolution with stride 2 → `downsample.conv`.
    this.downsample =
      downsampleChannels === null
        ? null
        : this.registerModule(
            'downsample.conv',
            new Conv2d({ inChannels: downsampleChannels, outChannels: downsampleChannels, kernelSize: 3, stride: 2, padding: [0, 1, 0, 1], random }),
          );
  }
}

/**
 * LDM's autoencoder `Encoder` (without attention layers, which MAR's KL-16 also leaves out below the middle):
 * `conv_in` → per level `down.i.block.j` residual blocks and `down.i.downsample.conv` → `mid.block_1`, `mid.block_2` →
 * `norm_out` → SiLU → `conv_out` to `2·latentChannels` moments (means, log-variances).
 */
export class KlEncoder extends Module {
  readonly convIn: Conv2d;
  readonly levels: EncoderLevel[];
  readonly middleFirst: ResnetBlock;
  readonly middleSecond: ResnetBlock;
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(config: KlAutoencoderConfig, random: SeededRandom) {
    super();
    const { baseChannels, channelMultipliers, numResBlocks, latentChannels, normGroups } = config;
    this.convIn = this.registerModule('conv_in', new Conv2d({ inChannels: 3, outChannels: baseChannels, kernelSize: 3, padding: 1, random }));
    let channels = baseChannels;
    this.levels = channelMultipliers.map((multiplier, level) => {
      const blocks: ResnetBlock[] = [];
      const outChannels = baseChannels * multiplier;
      for (let index = 0; index < numResBlocks; index++) {
        blocks.push(new ResnetBlock({ inChannels: channels, outChannels, normGroups, random }));
        channels = outChannels;
      }
      const isLast = level === channelMultipliers.length - 1;
      return this.registerModule(`down.${level}`, new EncoderLevel(blocks, isLast ? null : channels, random));
    });
    this.middleFirst = this.registerModule('mid.block_1', new ResnetBlock({ inChannels: channels, outChannels: channels, normGroups, random }));
    this.middleSecond = this.registerModule('mid.block_2', new ResnetBlock({ inChannels: channels, outChannels: channels, normGroups, random }));
    this.normOut = this.registerModule('norm_out', new GroupNorm({ numGroups: normGroups, numChannels: channels }));
    this.convOut = this.registerModule(
      'conv_out',
      new Conv2d({ inChannels: channels, outChannels: 2 * latentChannels, kernelSize: 3, padding: 1, random }),
    );
  }

  /**
   * @param images - float32 `[batch, size, size, 3]` in [−1, 1].
   * @returns moments float32 `[batch, size/f, size/f, 2·latentChannels]`; the caller owns it.
   */
  forward(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.convIn.forward(images);
      for (const level of this.levels) {
        for (const block of level.blocks) hidden = block.forward(hidden);
        if (level.downsample) hidden = level.downsample.forward(hidden);
      }
      hidden = this.middleSecond.forward(this.middleFirst.forward(hidden));
      return this.convOut.forward(silu(this.normOut.forward(hidden)) as tf.Tensor4D);
    });
  }
}
