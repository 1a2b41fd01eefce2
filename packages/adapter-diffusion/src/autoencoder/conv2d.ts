import { initializeParameter, type Initializer, InvalidArgumentError, Module, type SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';

/** Configuration of a {@link Conv2d}. */
export interface Conv2dConfig {
  inChannels: number;
  outChannels: number;
  /** Square kernel side. @default 3 */
  kernelSize?: number;
  /** @default 1 */
  stride?: number;
  /** Zero padding on every side (PyTorch `padding`). @default ⌊kernelSize / 2⌋ */
  padding?: number;
  /** Stream the initial weights are drawn from. */
  random: SeededRandom;
  /** @default { kind: 'pytorch-linear' } with fan-in inChannels·k² (PyTorch's conv default) */
  weightInitializer?: Initializer;
  /** @default { kind: 'pytorch-linear' } with the weight's fan-in */
  biasInitializer?: Initializer;
}

/**
 * A 2-D convolution with bias over channels-last images (PyTorch `nn.Conv2d` semantics: symmetric zero padding,
 * output side `⌊(side + 2·padding − kernel) / stride⌋ + 1`).
 *
 * Parameters (PyTorch layout, so reference checkpoints load as they are): `weight` float32
 * `[outChannels, inChannels, k, k]`, `bias` float32 `[outChannels]`. The forward pass transposes the weight to
 * tfjs's `[k, k, in, out]`.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(config: Conv2dConfig) {
    super();
    const { inChannels, outChannels, kernelSize = 3, stride = 1, random } = config;
    const padding = config.padding ?? Math.floor(kernelSize / 2);
    for (const [argument, value] of [['inChannels', inChannels], ['outChannels', outChannels], ['kernelSize', kernelSize], ['stride', stride]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
    }
    if (!Number.isInteger(padding) || padding < 0) throw new InvalidArgumentError({ argument: 'padding', message: `must be a non-negative integer, got ${padding}` });
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    const fans = { fanIn: inChannels * kernelSize * kernelSize, fanOut: outChannels * kernelSize * kernelSize };
    const defaultInitializer: Initializer = { kind: 'pytorch-linear' };
    this.weight = this.registerParameter(
      'weight',
      initializeParameter([outChannels, inChannels, kernelSize, kernelSize], config.weightInitializer ?? defaultInitializer, random, fans),
    );
    this.bias = this.registerParameter('bias', initializeParameter([outChannels], config.biasInitializer ?? defaultInitializer, random, fans));
  }

  /**
   * @param input - float32 `[batch, height, width, inChannels]`.
   * @returns float32 `[batch, height′, width′, outChannels]`; the caller owns it.
   */
  forward(input: tf.Tensor4D): tf.Tensor4D {
    if (input.rank !== 4 || input.shape[3] !== this.inChannels) {
      throw new ShapeMismatchError({ tensorName: 'input', expected: [null, null, null, this.inChannels], actual: input.shape, context: 'Conv2d.forward' });
    }
    return tf.tidy(() => {
      const filter = tf.transpose(this.weight, [2, 3, 1, 0]) as tf.Tensor4D; // [k, k, in, out]
      const padded =
        this.padding === 0
          ? input
          : tf.pad(input, [
              [0, 0],
              [this.padding, this.padding],
              [this.padding, this.padding],
              [0, 0],
            ]);
      return tf.add(tf.conv2d(padded, filter, this.stride, 'valid'), this.bias) as tf.Tensor4D;
    });
  }
}
