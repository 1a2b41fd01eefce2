import { InvalidArgumentError, Module, ShapeMismatchError, initializeParameter, tf, type Initializer, type SeededRandom } from '@reca/runtime';

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
  /** Zero padding added on every side before the convolution (PyTorch's `padding`). @default 0 */
  padding?: number;
  /** @default true */
  bias?: boolean;
  random: SeededRandom;
  /** Initial `weight`. @default { kind: 'pytorch-linear' } (U(±1/√(in·k²)), PyTorch's default for convolutions) */
  weightInitializer?: Initializer;
}

/**
 * A 2-D convolution over channel-last images (PyTorch's `nn.Conv2d`, with PyTorch's weight layout so reference
 * checkpoints load as they are).
 *
 * Parameters: `weight` float32 `[outChannels, inChannels, kernelSize, kernelSize]`, `bias` float32 `[outChannels]`.
 * The forward pass transposes the weight to tfjs's `[kh, kw, in, out]` filter layout, pads explicitly and runs a
 * `'valid'` `tf.conv2d`, so `padding` behaves exactly like PyTorch's for any stride.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
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
    if (!Number.isInteger(padding) || padding < 0) {
      throw new InvalidArgumentError({ argument: 'padding', message: `must be a non-negative integer, got ${padding}` });
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    const shape = [outChannels, inChannels, kernelSize, kernelSize];
    this.weight = this.registerParameter('weight', initializeParameter(shape, config.weightInitializer ?? { kind: 'pytorch-linear' }, random));
    this.bias = bias
      ? this.registerParameter(
          'bias',
          initializeParameter([outChannels], { kind: 'pytorch-linear' }, random, { fanIn: inChannels * kernelSize * kernelSize }),
        )
      : null;
  }

  /**
   * @param input - float32 `[batch, height, width, inChannels]`.
   * @returns float32 `[batch, ⌊(height + 2·padding − kernelSize)/stride⌋ + 1, (same for width), outChannels]`; the
   *   caller owns it.
   */
  forward(input: tf.Tensor): tf.Tensor4D {
    if (input.rank !== 4 || input.shape[3] !== this.inChannels) {
      throw new ShapeMismatchError({ tensorName: 'input', expected: [null, null, null, this.inChannels], actual: input.shape, context: 'Conv2d.forward' });
    }
    return tf.tidy(() => {
      const padded =
        this.padding > 0
          ? tf.pad(input as tf.Tensor4D, [
              [0, 0],
              [this.padding, this.padding],
              [this.padding, this.padding],
              [0, 0],
            ])
          : (input as tf.Tensor4D);
      const filter = tf.transpose(this.weight, [2, 3, 1, 0]) as tf.Tensor4D; // [kh, kw, in, out]
      const output = tf.conv2d(padded, filter, this.stride, 'valid');
      return (this.bias ? tf.add(output, this.bias) : output) as tf.Tensor4D;
    });
  }
}
