import { Conv2d } from '@reca/runtime';
import { Module, SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { VectorQuantizer } from './vector-quantizer.js';
import { VqDecoder } from './vq-decoder.js';
import { VqEncoder } from './vq-encoder.js';
import { validateVqTokenizerConfig, vqGridSize, type VqTokenizerConfig } from './vq-tokenizer-config.js';

/** What {@link VqTokenizer.trainingLosses} returns; the caller owns every tensor. */
export interface VqTrainingLosses {
  /** float32 scalar: the weighted sum `reconstruction + codebook + commitment`. */
  total: tf.Scalar;
  /** float32 scalar: mean squared error between the reconstruction and the image, both in [−1, 1] (LlamaGen's l2 `rec_loss`). */
  reconstruction: tf.Scalar;
  /** float32 scalar: `mean‖sg(z) − e‖²`. */
  codebook: tf.Scalar;
  /** float32 scalar: `β · mean‖z − sg(e)‖²`. */
  commitment: tf.Scalar;
  /** int32 `[batch, grid, grid]`: the codes chosen. */
  indices: tf.Tensor3D;
}

/**
 * A VQ autoencoder image tokenizer (LlamaGen's `VQModel`, `tokenizer/tokenizer_image/vq_model.py`; VQGAN's design):
 * conv encoder → `quant_conv` (1×1, `zChannels → codebookEmbedDim`) → codebook → `post_quant_conv` (1×1, back to
 * `zChannels`) → conv decoder. Images go in and come out in [0, 1] (mapped to [−1, 1] inside, as LlamaGen feeds them).
 *
 * Parameter names follow LlamaGen: `encoder.*`, `quant_conv.*`, `quantize.embedding.weight`, `post_quant_conv.*`,
 * `decoder.*`. Train it with `trainVqTokenizer` (reconstruction MSE + codebook + commitment loss, dead-code restarts);
 * inside a unified model it is frozen (its parameters are not trainable and it runs outside the gradient tape).
 * The perceptual and adversarial losses LlamaGen adds for natural images are not implemented (flat-colour synthetic
 * images do not need them).
 */
export class VqTokenizer extends Module {
  readonly config: VqTokenizerConfig;
  readonly encoder: VqEncoder;
  readonly quantConv: Conv2d;
  readonly quantizer: VectorQuantizer;
  readonly postQuantConv: Conv2d;
  readonly decoder: VqDecoder;
  /** Side of the token grid. */
  readonly gridSize: number;

  /**
   * @param config - a complete configuration (see `vqTokenizerPresets`).
   * @param random - stream of the initial weights, drawn in the order encoder, quant_conv, codebook, post_quant_conv,
   *   decoder.
   */
  constructor(config: VqTokenizerConfig, random: SeededRandom) {
    super();
    validateVqTokenizerConfig(config);
    this.config = { ...config, channelMultipliers: [...config.channelMultipliers] };
    this.gridSize = vqGridSize(config);
    this.encoder = this.registerModule('encoder', new VqEncoder(config, random));
    this.quantConv = this.registerModule('quant_conv', new Conv2d({ inChannels: config.zChannels, outChannels: config.codebookEmbedDim, kernelSize: 1, random }));
    this.quantizer = this.registerModule(
      'quantize',
      new VectorQuantizer({
        codebookSize: config.codebookSize,
        embedDim: config.codebookEmbedDim,
        l2Norm: config.codebookL2Norm,
        commitmentBeta: config.commitmentBeta,
        random,
      }),
    );
    this.postQuantConv = this.registerModule('post_quant_conv', new Conv2d({ inChannels: config.codebookEmbedDim, outChannels: config.zChannels, kernelSize: 1, random }));
    this.decoder = this.registerModule('decoder', new VqDecoder(config, random));
  }

  /** Number of image tokens per image (`gridSize²`). */
  get tokensPerImage(): number {
    return this.gridSize * this.gridSize;
  }

  /**
   * Encoder outputs before quantisation (after `quant_conv`, not yet normalised).
   *
   * @param images - float32 `[batch, imageSize, imageSize, 3]` in [0, 1].
   * @returns float32 `[batch, grid, grid, codebookEmbedDim]`; the caller owns it.
   */
  encodeLatents(images: tf.Tensor4D): tf.Tensor4D {
    this.#checkImages(images, 'images');
    return tf.tidy(() => this.quantConv.forward(this.encoder.forward(tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D)));
  }

  /**
   * Image → code indices (no gradient bookkeeping needed: indices are integers).
   *
   * @param images - float32 `[batch, imageSize, imageSize, 3]` in [0, 1].
   * @returns int32 `[batch, grid, grid]`; the caller owns it.
   */
  encodeToIndices(images: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => this.quantizer.indicesOf(this.encodeLatents(images)));
  }

  /**
   * Code indices → images.
   *
   * @param indices - int32 `[batch, grid, grid]` in `[0, codebookSize)`.
   * @returns float32 `[batch, imageSize, imageSize, 3]` clipped to [0, 1]; the caller owns it.
   */
  decodeIndices(indices: tf.Tensor3D): tf.Tensor4D {
    if (indices.rank !== 3 || indices.shape[1] !== this.gridSize || indices.shape[2] !== this.gridSize) {
      throw new ShapeMismatchError({ tensorName: 'indices', expected: [null, this.gridSize, this.gridSize], actual: indices.shape, context: 'VqTokenizer.decodeIndices' });
    }
    return tf.tidy(() => toUnitRange(this.decodeCodes(this.quantizer.lookup(indices))));
  }

  /**
   * Codes → decoder output in [−1, 1] scale (unclipped).
   *
   * @param codes - float32 `[batch, grid, grid, codebookEmbedDim]`.
   * @returns float32 `[batch, imageSize, imageSize, 3]`; the caller owns it.
   */
  decodeCodes(codes: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.decoder.forward(this.postQuantConv.forward(codes)));
  }

  /**
   * Encode → quantise → decode, with the three loss terms (for training the tokenizer).
   *
   * @param images - float32 `[batch, imageSize, imageSize, 3]` in [0, 1].
   */
  trainingLosses(images: tf.Tensor4D): VqTrainingLosses {
    return tf.tidy(() => {
      const { quantized, indices, codebookLoss, commitmentLoss } = this.quantizer.quantize(this.encodeLatents(images));
      const reconstructed = this.decodeCodes(quantized);
      const reconstruction = tf.mean(tf.squaredDifference(reconstructed, tf.sub(tf.mul(images, 2), 1))) as tf.Scalar;
      const total = tf.addN([reconstruction, codebookLoss, commitmentLoss]) as tf.Scalar;
      return { total, reconstruction, codebook: codebookLoss, commitment: commitmentLoss, indices };
    });
  }

  /**
   * Reconstructs images through the codebook.
   *
   * @param images - float32 `[batch, imageSize, imageSize, 3]` in [0, 1].
   * @returns float32, same shape, in [0, 1]; the caller owns it.
   */
  reconstruct(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.decodeIndices(this.encodeToIndices(images)));
  }

  /** A JSON copy of the configuration. */
  getConfig(): VqTokenizerConfig {
    return { ...this.config, channelMultipliers: [...this.config.channelMultipliers] };
  }

  #checkImages(images: tf.Tensor, name: string): void {
    const size = this.config.imageSize;
    if (images.rank !== 4 || images.shape[1] !== size || images.shape[2] !== size || images.shape[3] !== 3) {
      throw new ShapeMismatchError({ tensorName: name, expected: [null, size, size, 3], actual: images.shape, context: 'VqTokenizer (images at the tokenizer resolution)' });
    }
  }
}

/** [−1, 1] → [0, 1], clipped. */
function toUnitRange(decoded: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.div(tf.add(decoded, 1), 2), 0, 1) as tf.Tensor4D);
}

/** Creates a tokenizer from a configuration and a seed (convenience for {@link VqTokenizer}'s constructor). */
export function createVqTokenizer(config: VqTokenizerConfig, seed = 0): VqTokenizer {
  return new VqTokenizer(config, new SeededRandom(seed));
}
