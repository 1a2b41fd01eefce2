import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { Module } from './module.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { initializeParameter } from './initializer.js';
import type { Initializer } from './initializer.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { tf } from '../tf.js';

/** Configuration of a {@link Conv2d} layer. */
export interface Conv2dConfig {
  /** Input channels. */
  inChannels: number;
  /** Output channels. */
  outChannels: number;
  /** Square kernel side. */
  kernelSize: number;
  /** @default 1 */
  stride?: number;
  /**
   * Zero padding on every side (PyTorch's `padding=int`), or explicit `[top, bottom, left, right]` padding
   * (LDM's downsampling pads `(0, 1, 0, 1)` before a stride-2 convolution).
   * @default 0
   */
  padding?: number | readonly [number, number, number, number];
  /** @default true */
  bias?: boolean;
  random: SeededRandom;
  /** @default { kind: 'pytorch-linear' } (U(±1/√(inChannels·k²)), PyTorch's default) */
  weightInitializer?: Initializer;
  /** @default { kind: 'pytorch-linear' } with the weight's fan-in */
  biasInitializer?: Initializer;
}

/**
 * 2-D convolution over channels-last images (PyTorch's `nn.Conv2d`, weights stored in PyTorch's layout so reference
 * checkpoints load as they are).
 *
 * Parameters: `weight` float32 `[outChannels, inChannels, kernelSize, kernelSize]`, `bias` float32 `[outChannels]`.
 * The forward pass transposes the weight to tfjs's `[kh, kw, in, out]` filter layout.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: readonly [number, number, number, number];
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(config: Conv2dConfig) {
    super();
    const { inChannels, outChannels, kernelSize, stride = 1, padding = 0, bias = true, random } = config;
    for (const [argument, value] of [
      ['inChannels', inChannels],
      ['outChannels', outChannels],
      ['kernelSize', kernelSize],
      ['stride', stride],
    ] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
    }
    const pads = typeof padding === 'number' ? ([padding, padding, padding, padding] as const) : padding;
    if (pads.length !== 4 || pads.some((value) => !Number.isInteger(value) || value < 0)) {
      throw new InvalidArgumentError({ argument: 'padding', message: `must be a non-negative integer or 4 of them, got ${JSON.stringify(padding)}` });
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = [pads[0], pads[1], pads[2], pads[3]];
    const fanIn = inChannels * kernelSize * kernelSize;
    this.weight = this.registerParameter(
      'weight',
      initializeParameter([outChannels, inChannels, kernelSize, kernelSize], config.weightInitializer ?? { kind: 'pytorch-linear' }, random),
    );
    this.bias = bias
      ? this.registerParameter(
          'bias',
          initializeParameter([outChannels], config.biasInitializer ?? { kind: 'pytorch-linear' }, random, { fanIn, fanOut: outChannels }),
        )
      : null;
  }

  /**
   * @param input - float32 `[batch, height, width, inChannels]`.
   * @returns float32 `[batch, height', width', outChannels]` with `height' = ⌊(height + top + bottom − k) / stride⌋ + 1`;
   *   the caller owns it.
   */
  forward(input: tf.Tensor4D): tf.Tensor4D {
    if (input.rank !== 4 || input.shape[3] !== this.inChannels) {
      throw new ShapeMismatchError({
        tensorName: 'input',
        expected: [null, null, null, this.inChannels],
        actual: input.shape,
        context: 'Conv2d.forward',
      });
    }
    return tf.tidy(() => {
      const [top, bottom, left, right] = this.padding;
      const filter = tf.transpose(this.weight, [2, 3, 1, 0]) as tf.Tensor4D; // [kh, kw, in, out]
      // Explicit padding inside the convolution (no separate pad kernel and gradient): PyTorch's zero padding.
      const padding: Parameters<typeof tf.conv2d>[3] = top + bottom + left + right > 0 ? [[0, 0], [top, bottom], [left, right], [0, 0]] : 'valid';
      // The bias inside the convolution's kernel (FusedConv2D), where the backend fuses it.
      if (this.bias) return tf.fused.conv2d({ x: input as tf.Tensor4D, filter, strides: this.stride, pad: padding, bias: this.bias });
      return tf.conv2d(input as tf.Tensor4D, filter, this.stride, padding);
    });
  }
}
