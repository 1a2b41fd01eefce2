import { initializeParameter, Module, patchify, type SeededRandom, tf } from '@reca/runtime';
import { assertPositiveInteger, assertShape } from '../checks.js';

/** Configuration of a {@link PatchEmbedding}. */
export interface PatchEmbeddingConfig {
  /** Patch side in pixels (the convolution's kernel and stride). */
  patchSize: number;
  /** Input channels. @default 3 */
  inChannels?: number;
  /** Output width (timm `embed_dim`). */
  width: number;
  /** Stream the initial weights are drawn from. */
  random: SeededRandom;
}

/**
 * timm's `PatchEmbed`: a `Conv2d(inChannels, width, kernel = stride = patchSize)` over the image, flattened to one
 * token per patch in row-major grid order. Computed as `patchify` + one matrix product, with the weight kept in the
 * convolution's layout so that timm checkpoints load as they are.
 *
 * Parameters: `proj.weight` float32 `[width, inChannels, patchSize, patchSize]` (PyTorch's conv default init,
 * U(±1/√(inChannels·patchSize²))), `proj.bias` float32 `[width]`.
 */
export class PatchEmbedding extends Module {
  readonly patchSize: number;
  readonly inChannels: number;
  readonly width: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(config: PatchEmbeddingConfig) {
    super();
    const { patchSize, inChannels = 3, width, random } = config;
    assertPositiveInteger(patchSize, 'patchSize');
    assertPositiveInteger(inChannels, 'inChannels');
    assertPositiveInteger(width, 'width');
    this.patchSize = patchSize;
    this.inChannels = inChannels;
    this.width = width;
    const fans = { fanIn: inChannels * patchSize * patchSize, fanOut: width * patchSize * patchSize };
    this.weight = this.registerParameter(
      'proj.weight',
      initializeParameter([width, inChannels, patchSize, patchSize], { kind: 'pytorch-linear' }, random, fans),
    );
    this.bias = this.registerParameter('proj.bias', initializeParameter([width], { kind: 'pytorch-linear' }, random, fans));
  }

  /**
   * @param images - float32 `[batch, height, width, inChannels]`, height and width multiples of `patchSize`
   *   (already normalised).
   * @returns float32 `[batch, (height/p)·(width/p), width]`; the caller owns it.
   */
  forward(images: tf.Tensor): tf.Tensor3D {
    assertShape(images, [null, null, null, this.inChannels], 'PatchEmbedding.forward', 'images');
    return tf.tidy(() => {
      // Features in (channel, dy, dx) order match the flattened conv weight [width, C·p·p].
      const patches = patchify(images, this.patchSize, { featureOrder: 'channel-row-column' }); // [b, N, C·p·p]
      const [batchSize, tokens, features] = patches.shape;
      const kernel = tf.reshape(this.weight, [this.width, features]);
      const projected = tf.add(tf.matMul(tf.reshape(patches, [batchSize * tokens, features]), kernel, false, true), this.bias);
      return tf.reshape(projected, [batchSize, tokens, this.width]) as tf.Tensor3D;
    });
  }
}
