import { Conv2d, Module, type SeededRandom, silu, tf } from '@reca/runtime';

/**
 * A residual block of two 3×3 convolutions, `x + conv2(SiLU(conv1(SiLU(x))))` — diffusers' `ResnetBlock2D` without
 * its GroupNorms and time embedding (the tiny autoencoders here train in a few hundred steps without them).
 *
 * Parameters: `conv1.weight` `[channels, channels, 3, 3]`, `conv1.bias`, `conv2.weight`, `conv2.bias`.
 */
export class ResidualBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;

  constructor(channels: number, random: SeededRandom) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d({ inChannels: channels, outChannels: channels, kernelSize: 3, padding: 1, random }));
    this.conv2 = this.registerModule('conv2', new Conv2d({ inChannels: channels, outChannels: channels, kernelSize: 3, padding: 1, random }));
  }

  /**
   * @param input - float32 `[batch, height, width, channels]`.
   * @returns float32, same shape; the caller owns it.
   */
  forward(input: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.add(input, this.conv2.forward(silu(this.conv1.forward(silu(input) as tf.Tensor4D)) as tf.Tensor4D)) as tf.Tensor4D);
  }
}
