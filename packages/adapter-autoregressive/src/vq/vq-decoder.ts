import { Conv2d, GroupNorm, ResnetBlock } from '@reca/runtime';
import { Module, ModuleList, silu, tf, type SeededRandom } from '@reca/runtime';
import type { VqTokenizerConfig } from './vq-tokenizer-config.js';

/** One resolution level of the decoder: `res.N` blocks and an optional `upsample.conv`. */
class DecoderLevel extends Module {
  readonly res: ModuleList<ResnetBlock>;
  readonly upsampleConv: Conv2d | null;

  constructor(inChannels: number, outChannels: number, blocks: number, upsample: boolean, normGroups: number, random: SeededRandom) {
    super();
    this.res = this.registerModule(
      'res',
      new ModuleList(Array.from({ length: blocks }, (_, index) => new ResnetBlock({ inChannels: index === 0 ? inChannels : outChannels, outChannels, normGroups, random }))),
    );
    this.upsampleConv = upsample
      ? this.registerModule('upsample', new Module()).registerModule('conv', new Conv2d({ inChannels: outChannels, outChannels, kernelSize: 3, padding: 1, random }))
      : null;
  }

  forward(input: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = input;
      for (const block of this.res) hidden = block.forward(hidden);
      if (this.upsampleConv) {
        // LlamaGen's Upsample: nearest-neighbour ×2, then a 3×3 convolution.
        const [, height, width] = hidden.shape;
        hidden = this.upsampleConv.forward(tf.image.resizeNearestNeighbor(hidden, [height * 2, width * 2]));
      }
      return hidden;
    });
  }
}

/**
 * The VQ decoder of LlamaGen (`Decoder` in `tokenizer/tokenizer_image/vq_model.py`): `conv_in` from `zChannels`, a
 * middle residual block `mid.0`, one level per channel multiplier in reverse (`conv_blocks.N.res.M` with
 * `numResBlocks + 1` blocks, `conv_blocks.N.upsample.conv` on every level but the last), `norm_out`, SiLU,
 * `conv_out` → 3 channels. Same simplifications as {@link VqEncoder} (no attention blocks, one middle block).
 */
export class VqDecoder extends Module {
  readonly convIn: Conv2d;
  readonly mid: ModuleList<ResnetBlock>;
  readonly levels: ModuleList<DecoderLevel>;
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(config: VqTokenizerConfig, random: SeededRandom) {
    super();
    const { baseChannels, channelMultipliers, numResBlocks, zChannels, normGroups } = config;
    const reversed = [...channelMultipliers].reverse();
    let width = baseChannels * (reversed[0] as number);
    this.convIn = this.registerModule('conv_in', new Conv2d({ inChannels: zChannels, outChannels: width, kernelSize: 3, padding: 1, random }));
    this.mid = this.registerModule('mid', new ModuleList([new ResnetBlock({ inChannels: width, outChannels: width, normGroups, random })]));
    const levels: DecoderLevel[] = [];
    reversed.forEach((multiplier, level) => {
      const outChannels = baseChannels * multiplier;
      levels.push(new DecoderLevel(width, outChannels, numResBlocks + 1, level !== reversed.length - 1, normGroups, random));
      width = outChannels;
    });
    this.levels = this.registerModule('conv_blocks', new ModuleList(levels));
    this.normOut = this.registerModule('norm_out', new GroupNorm({ numGroups: normGroups, numChannels: width }));
    this.convOut = this.registerModule('conv_out', new Conv2d({ inChannels: width, outChannels: 3, kernelSize: 3, padding: 1, random }));
  }

  /**
   * @param latents - float32 `[batch, grid, grid, zChannels]`.
   * @returns float32 `[batch, grid·f, grid·f, 3]`, unbounded (≈ [−1, 1] once trained); the caller owns it.
   */
  forward(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.convIn.forward(latents);
      for (const block of this.mid) hidden = block.forward(hidden);
      for (const level of this.levels) hidden = level.forward(hidden);
      return this.convOut.forward(silu(this.normOut.forward(hidden)) as tf.Tensor4D);
    });
  }
}
