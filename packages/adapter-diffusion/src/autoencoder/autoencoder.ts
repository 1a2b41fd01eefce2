import { Conv2d, Module, ModuleList, type SeededRandom, ShapeMismatchError, silu, tf } from '@reca/runtime';
import { type AutoencoderConfig, autoencoderDownsamplingFactor, validateAutoencoderConfig } from './autoencoder-config.js';
import { ResidualBlock } from './residual-block.js';

/** One resolution level: residual blocks, then a resampling convolution (`downsamplers.0.conv` / `upsamplers.0.conv`). */
class ResolutionLevel extends Module {
  readonly resnets: ModuleList<ResidualBlock>;
  readonly resample: Conv2d;
  readonly direction: 'down' | 'up';

  constructor(channels: number, outChannels: number, layers: number, direction: 'down' | 'up', random: SeededRandom) {
    super();
    this.direction = direction;
    this.resnets = this.registerModule('resnets', new ModuleList(Array.from({ length: layers }, () => new ResidualBlock(channels, random))));
    const conv = new Conv2d({ inChannels: channels, outChannels, kernelSize: 3, padding: 1, stride: direction === 'down' ? 2 : 1, random });
    this.resample = this.registerModule(direction === 'down' ? 'downsamplers.0.conv' : 'upsamplers.0.conv', conv);
  }

  forward(input: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = input;
      for (const block of this.resnets) hidden = block.forward(hidden);
      if (this.direction === 'down') return this.resample.forward(hidden);
      const [, height, width] = hidden.shape;
      // Nearest-neighbour ×2 then a 3×3 conv (diffusers `Upsample2D`).
      return this.resample.forward(tf.image.resizeNearestNeighbor(hidden, [height * 2, width * 2]));
    });
  }
}

/** The encoder half: image in [−1, 1] → latent. */
class Encoder extends Module {
  readonly convIn: Conv2d;
  readonly downBlocks: ModuleList<ResolutionLevel>;
  readonly midBlock: ModuleList<ResidualBlock>;
  readonly convOut: Conv2d;

  constructor(config: Required<AutoencoderConfig>, random: SeededRandom) {
    super();
    const { blockChannels, latentChannels, layersPerBlock } = config;
    const levels = blockChannels.length - 1;
    const top = blockChannels[levels] as number;
    this.convIn = this.registerModule('conv_in', new Conv2d({ inChannels: 3, outChannels: blockChannels[0] as number, kernelSize: 3, padding: 1, random }));
    this.downBlocks = this.registerModule(
      'down_blocks',
      new ModuleList(
        Array.from({ length: levels }, (_, level) =>
          new ResolutionLevel(blockChannels[level] as number, blockChannels[level + 1] as number, layersPerBlock, 'down', random),
        ),
      ),
    );
    this.midBlock = this.registerModule('mid_block.resnets', new ModuleList([new ResidualBlock(top, random)]));
    this.convOut = this.registerModule('conv_out', new Conv2d({ inChannels: top, outChannels: latentChannels, kernelSize: 3, padding: 1, random }));
  }

  forward(pixels: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.convIn.forward(pixels);
      for (const level of this.downBlocks) hidden = level.forward(hidden);
      for (const block of this.midBlock) hidden = block.forward(hidden);
      return this.convOut.forward(silu(hidden) as tf.Tensor4D);
    });
  }
}

/** The decoder half: latent → image in [−1, 1] (not clipped). */
class Decoder extends Module {
  readonly convIn: Conv2d;
  readonly midBlock: ModuleList<ResidualBlock>;
  readonly upBlocks: ModuleList<ResolutionLevel>;
  readonly convOut: Conv2d;

  constructor(config: Required<AutoencoderConfig>, random: SeededRandom) {
    super();
    const { blockChannels, latentChannels, layersPerBlock } = config;
    const levels = blockChannels.length - 1;
    const top = blockChannels[levels] as number;
    this.convIn = this.registerModule('conv_in', new Conv2d({ inChannels: latentChannels, outChannels: top, kernelSize: 3, padding: 1, random }));
    this.midBlock = this.registerModule('mid_block.resnets', new ModuleList([new ResidualBlock(top, random)]));
    this.upBlocks = this.registerModule(
      'up_blocks',
      new ModuleList(
        Array.from({ length: levels }, (_, index) => {
          const level = levels - index;
          return new ResolutionLevel(blockChannels[level] as number, blockChannels[level - 1] as number, layersPerBlock, 'up', random);
        }),
      ),
    );
    this.convOut = this.registerModule('conv_out', new Conv2d({ inChannels: blockChannels[0] as number, outChannels: 3, kernelSize: 3, padding: 1, random }));
  }

  forward(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.convIn.forward(latents);
      for (const block of this.midBlock) hidden = block.forward(hidden);
      for (const level of this.upBlocks) hidden = level.forward(hidden);
      return this.convOut.forward(silu(hidden) as tf.Tensor4D);
    });
  }
}

/**
 * A small convolutional autoencoder for the generator's latent space — the role of SANA's DC-AE (OpenUni) and
 * BAGEL's FLUX VAE, trained from scratch here ({@link trainAutoencoder}) and then used frozen.
 *
 * Architecture (diffusers `AutoencoderKL` layout and names, without GroupNorm, attention and the KL head):
 * - `encoder.conv_in` (3 → c₀), per level `encoder.down_blocks.N.resnets.M.conv1|conv2` and a stride-2
 *   `encoder.down_blocks.N.downsamplers.0.conv` (c_N → c_{N+1}), `encoder.mid_block.resnets.0.*`, SiLU,
 *   `encoder.conv_out` (→ latentChannels);
 * - `decoder.conv_in`, `decoder.mid_block.resnets.0.*`, per level `decoder.up_blocks.N.resnets.M.*` and a
 *   nearest-×2 + `decoder.up_blocks.N.upsamplers.0.conv`, SiLU, `decoder.conv_out` (→ 3).
 * Images are mapped from [0, 1] to [−1, 1] before encoding. Latents here are *raw*: the latent scale and shift
 * (diffusers `scaling_factor`, FLUX `shift_factor`) are applied by `AutoencoderLatentSpace`.
 */
export class Autoencoder extends Module {
  readonly config: Required<AutoencoderConfig>;
  /** Image side / latent side. */
  readonly downsamplingFactor: number;
  readonly encoder: Encoder;
  readonly decoder: Decoder;

  constructor(config: AutoencoderConfig, random: SeededRandom) {
    super();
    validateAutoencoderConfig(config, 'autoencoder');
    this.config = { blockChannels: [...config.blockChannels], latentChannels: config.latentChannels, layersPerBlock: config.layersPerBlock ?? 1 };
    this.downsamplingFactor = autoencoderDownsamplingFactor(config);
    this.encoder = this.registerModule('encoder', new Encoder(this.config, random));
    this.decoder = this.registerModule('decoder', new Decoder(this.config, random));
  }

  /**
   * @param images - float32 `[batch, size, size, 3]` in [0, 1], size a multiple of the downsampling factor.
   * @returns raw latents float32 `[batch, size/f, size/f, latentChannels]`; the caller owns them.
   */
  encode(images: tf.Tensor4D): tf.Tensor4D {
    const factor = this.downsamplingFactor;
    if (images.rank !== 4 || images.shape[3] !== 3 || images.shape[1] % factor !== 0 || images.shape[2] % factor !== 0) {
      throw new ShapeMismatchError({
        tensorName: 'images',
        expected: [null, null, null, 3],
        actual: images.shape,
        context: `Autoencoder.encode (height and width must be multiples of the downsampling factor ${factor})`,
      });
    }
    return tf.tidy(() => this.encoder.forward(tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D));
  }

  /**
   * @param latents - raw latents float32 `[batch, side, side, latentChannels]`.
   * @returns reconstructions float32 `[batch, side·f, side·f, 3]` in about [−1, 1] (not clipped); the caller owns them.
   */
  decodeToSignedPixels(latents: tf.Tensor4D): tf.Tensor4D {
    if (latents.rank !== 4 || latents.shape[3] !== this.config.latentChannels) {
      throw new ShapeMismatchError({
        tensorName: 'latents',
        expected: [null, null, null, this.config.latentChannels],
        actual: latents.shape,
        context: 'Autoencoder.decode',
      });
    }
    return this.decoder.forward(latents);
  }

  /**
   * @param latents - raw latents float32 `[batch, side, side, latentChannels]`.
   * @returns images float32 `[batch, side·f, side·f, 3]` clipped to [0, 1]; the caller owns them.
   */
  decode(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.clipByValue(tf.div(tf.add(this.decodeToSignedPixels(latents), 1), 2), 0, 1) as tf.Tensor4D);
  }
}
