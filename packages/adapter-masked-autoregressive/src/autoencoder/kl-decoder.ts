import { Conv2d, GroupNorm, upsampleNearest2x, ResnetBlock } from '@reca/runtime';
import { Module, ModuleList, type SeededRandom, silu, tf } from '@reca/runtime';
import type { KlAutoencoderConfig } from './kl-autoencoder-config.js';

/** One resolution level of the decoder: residual blocks, then (except level 0) nearest 2× upsampling and a convolution. */
class DecoderLevel extends Module {
  readonly blocks: ModuleList<ResnetBlock>;
  readonly upsample: Conv2d | null;

  constructor(blocks: ResnetBlock[], upsampleChannels: number | null, random: SeededRandom) {
    super();
    this.blocks = this.registerModule('block', new ModuleList(blocks));
    this.upsample =
      upsampleChannels === null
        ? null
        : this.registerModule(
            'upsample.conv',
            new Conv2d({ inChannels: upsampleChannels, outChannels: upsampleChannels, kernelSize: 3, padding: 1, random }),
          );
  }
}

/**
 * LDM's autoencoder `Decoder` (without attention layers): `conv_in` from the latents → `mid.block_1`, `mid.block_2` →
 * levels from the deepest up, each `numResBlocks + 1` residual blocks `up.i.block.j` and (i > 0) `up.i.upsample.conv`
 * → `norm_out` → SiLU → `conv_out` to RGB in [−1, 1] (unbounded).
 */
export class KlDecoder extends Module {
  readonly convIn: Conv2d;
  readonly middleFirst: ResnetBlock;
  readonly middleSecond: ResnetBlock;
  /** Levels by index (0 = full resolution); they run from the last to the first. */
  readonly levels: DecoderLevel[];
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(config: KlAutoencoderConfig, random: SeededRandom) {
    super();
    const { baseChannels, channelMultipliers, numResBlocks, latentChannels, normGroups } = config;
    const levelCount = channelMultipliers.length;
    let channels = baseChannels * (channelMultipliers[levelCount - 1] as number);
    this.convIn = this.registerModule('conv_in', new Conv2d({ inChannels: latentChannels, outChannels: channels, kernelSize: 3, padding: 1, random }));
    this.middleFirst = this.registerModule('mid.block_1', new ResnetBlock({ inChannels: channels, outChannels: channels, normGroups, random }));
    this.middleSecond = this.registerModule('mid.block_2', new ResnetBlock({ inChannels: channels, outChannels: channels, normGroups, random }));
    const built: DecoderLevel[] = new Array<DecoderLevel>(levelCount);
    for (let level = levelCount - 1; level >= 0; level--) {
      const outChannels = baseChannels * (channelMultipliers[level] as number);
      const blocks: ResnetBlock[] = [];
      for (let index = 0; index <= numResBlocks; index++) {
        blocks.push(new ResnetBlock({ inChannels: channels, outChannels, normGroups, random }));
        channels = outChannels;
      }
      built[level] = new DecoderLevel(blocks, level === 0 ? null : channels, random);
    }
    this.levels = built.map((level, index) => this.registerModule(`up.${index}`, level));
    this.normOut = this.registerModule('norm_out', new GroupNorm({ numGroups: normGroups, numChannels: channels }));
    this.convOut = this.registerModule('conv_out', new Conv2d({ inChannels: channels, outChannels: 3, kernelSize: 3, padding: 1, random }));
  }

  /**
   * @param latents - unscaled latents float32 `[batch, h, w, latentChannels]`.
   * @returns float32 `[batch, h·f, w·f, 3]`, nominally in [−1, 1]; the caller owns it.
   */
  forward(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.middleSecond.forward(this.middleFirst.forward(this.convIn.forward(latents)));
      for (let level = this.levels.length - 1; level >= 0; level--) {
        const current = this.levels[level] as DecoderLevel;
        for (const block of current.blocks) hidden = block.forward(hidden);
        if (current.upsample) hidden = current.upsample.forward(upsampleNearest2x(hidden));
      }
      return this.convOut.forward(silu(this.normOut.forward(hidden)) as tf.Tensor4D);
    });
  }
}
