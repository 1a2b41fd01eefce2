import { InvalidArgumentError, LayerNorm, Module, ModuleList, initializeParameter, type SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { assertPositiveInteger } from '../checks.js';
import { withDefaults } from '../with-defaults.js';
import { PatchEmbedding } from './patch-embedding.js';
import { sincosPositionEmbedding2d } from './sincos-position-embedding-2d.js';
import { VisionTransformerBlock } from './vision-transformer-block.js';
import type { VisionTransformerConfig } from './vision-transformer-config.js';

/** Options of {@link VisionTransformerEncoder.forward}. */
export interface VisionTransformerForwardOptions {
  /** Overrides the configured `outputLayer` for this call. @default config.outputLayer */
  outputLayer?: 'last' | 'penultimate';
}

/**
 * A Vision Transformer encoder (timm `VisionTransformer` with `class_token=False`, `global_pool=''`, no head):
 * normalise pixels, patch embedding, position embedding, pre-norm bidirectional blocks, final layer norm. Outputs one
 * float32 token per patch.
 *
 * Parameter names (timm): `patch_embed.proj.weight` `[width, 3, p, p]`, `patch_embed.proj.bias`, `pos_embed`
 * `[1, tokens, width]` (only with learned positions), `blocks.N.norm1.*`, `blocks.N.attn.qkv.*`,
 * `blocks.N.attn.proj.*`, `blocks.N.norm2.*`, `blocks.N.mlp.fc1.*`, `blocks.N.mlp.fc2.*`, `norm.weight|bias`.
 * Initialisation follows timm: truncated normal (std 0.02) for linear weights and the learned `pos_embed`, zero
 * biases, PyTorch's conv default for the patch projection. No dropout (the `training` flag of callers has no effect).
 */
export class VisionTransformerEncoder extends Module {
  /** The configuration with every default filled in. */
  readonly config: Required<VisionTransformerConfig>;
  readonly patchEmbedding: PatchEmbedding;
  readonly positionEmbedding: tf.Variable | null;
  readonly blocks: ModuleList<VisionTransformerBlock>;
  readonly norm: LayerNorm;
  /** Patches per side at the native resolution. */
  readonly nativeGridSize: number;
  readonly #positionCache = new Map<string, Float32Array>();

  constructor(config: VisionTransformerConfig, random: SeededRandom) {
    super();
    const resolved: Required<VisionTransformerConfig> = withDefaults({
      inChannels: 3,
      mlpRatio: 4,
      qkvBias: true,
      normEpsilon: 1e-6,
      positionEmbedding: 'sincos-2d',
      positionScale: 'patch-index',
      outputLayer: 'last',
      pixelMean: [0.5, 0.5, 0.5],
      pixelStd: [0.5, 0.5, 0.5],
    } as Omit<Required<VisionTransformerConfig>, 'imageSize' | 'patchSize' | 'width' | 'depth' | 'numHeads'>, config);
    const { imageSize, patchSize, inChannels, width, depth, numHeads, mlpRatio } = resolved;
    for (const [argument, value] of [['imageSize', imageSize], ['patchSize', patchSize], ['width', width], ['depth', depth], ['numHeads', numHeads]] as const) {
      assertPositiveInteger(value, `config.${argument}`);
    }
    if (imageSize % patchSize !== 0) {
      throw new InvalidArgumentError({ argument: 'config.imageSize', message: `must be a multiple of patchSize ${patchSize}, got ${imageSize}` });
    }
    if (width % numHeads !== 0) {
      throw new InvalidArgumentError({ argument: 'config.numHeads', message: `must divide width ${width}, got ${numHeads}` });
    }
    if (resolved.positionEmbedding === 'sincos-2d' && width % 4 !== 0) {
      throw new InvalidArgumentError({ argument: 'config.width', message: `must be a multiple of 4 with sine-cosine positions, got ${width}` });
    }
    if (resolved.outputLayer === 'penultimate' && depth < 2) {
      throw new InvalidArgumentError({ argument: 'config.outputLayer', message: `'penultimate' needs depth ≥ 2, got depth ${depth}` });
    }
    for (const [argument, values] of [['pixelMean', resolved.pixelMean], ['pixelStd', resolved.pixelStd]] as const) {
      if (values.length !== inChannels || values.some((value) => !Number.isFinite(value)) || (argument === 'pixelStd' && values.some((value) => value <= 0))) {
        throw new InvalidArgumentError({ argument: `config.${argument}`, message: `must hold ${inChannels} finite numbers (std > 0), got [${values.join(', ')}]` });
      }
    }
    const mlpHiddenWidth = Math.round(mlpRatio * width);
    assertPositiveInteger(mlpHiddenWidth, 'config.mlpRatio · width');
    this.config = { ...resolved, pixelMean: [...resolved.pixelMean], pixelStd: [...resolved.pixelStd] };
    this.nativeGridSize = imageSize / patchSize;
    this.patchEmbedding = this.registerModule('patch_embed', new PatchEmbedding({ patchSize, inChannels, width, random }));
    this.positionEmbedding =
      resolved.positionEmbedding === 'learned'
        ? this.registerParameter(
            'pos_embed',
            initializeParameter([1, this.nativeGridSize ** 2, width], { kind: 'truncated-normal', standardDeviation: 0.02 }, random),
          )
        : null;
    this.blocks = this.registerModule('blocks', new ModuleList<VisionTransformerBlock>());
    for (let index = 0; index < depth; index++) {
      this.blocks.push(
        new VisionTransformerBlock({ width, numHeads, mlpHiddenWidth, qkvBias: resolved.qkvBias, normEpsilon: resolved.normEpsilon, random }),
      );
    }
    this.norm = this.registerModule('norm', new LayerNorm({ normalizedShape: width, epsilon: resolved.normEpsilon }));
  }

  /** Output tokens for an image of `size × size` pixels: `(size / patchSize)²`. */
  tokenCount(size: number = this.config.imageSize): number {
    return (size / this.config.patchSize) ** 2;
  }

  /**
   * Encodes images into patch tokens.
   *
   * @param images - float32 `[batch, height, width, inChannels]` in [0, 1]; height and width multiples of
   *   `patchSize` (any size with sine-cosine positions; exactly `imageSize` with learned ones).
   * @returns float32 `[batch, (height/p)·(width/p), width]`, tokens in row-major patch order; the caller owns it.
   * @throws ShapeMismatchError when the images have another rank/channel count, a size that is not a multiple of the
   *   patch size, or (learned positions) not the native size.
   */
  forward(images: tf.Tensor, options: VisionTransformerForwardOptions = {}): tf.Tensor3D {
    const { outputLayer = this.config.outputLayer } = options;
    const { patchSize, imageSize, inChannels, width, depth } = this.config;
    const learned = this.positionEmbedding !== null;
    const sizeOk =
      images.rank === 4 &&
      images.shape[3] === inChannels &&
      (images.shape[1] as number) % patchSize === 0 &&
      (images.shape[2] as number) % patchSize === 0 &&
      (images.shape[1] as number) > 0 &&
      (images.shape[2] as number) > 0 &&
      (!learned || (images.shape[1] === imageSize && images.shape[2] === imageSize));
    if (!sizeOk) {
      throw new ShapeMismatchError({
        tensorName: 'images',
        expected: learned ? [null, imageSize, imageSize, inChannels] : [null, null, null, inChannels],
        actual: images.shape,
        context: learned
          ? `VisionTransformerEncoder (learned position embeddings read only the native ${imageSize} px)`
          : `VisionTransformerEncoder (height and width must be positive multiples of patchSize ${patchSize})`,
      });
    }
    if (outputLayer === 'penultimate' && depth < 2) {
      throw new InvalidArgumentError({ argument: 'outputLayer', message: `'penultimate' needs depth ≥ 2, got depth ${depth}` });
    }
    const rows = (images.shape[1] as number) / patchSize;
    const columns = (images.shape[2] as number) / patchSize;
    return tf.tidy(() => {
      const mean = tf.tensor1d([...this.config.pixelMean], 'float32');
      const std = tf.tensor1d([...this.config.pixelStd], 'float32');
      const normalized = tf.div(tf.sub(images, mean), std);
      const patches = this.patchEmbedding.forward(normalized); // [b, rows·columns, width]
      const positions = this.positionEmbedding ?? tf.tensor3d(this.#sincosPositions(rows, columns), [1, rows * columns, width]);
      let tokens = tf.add(patches, positions) as tf.Tensor3D;
      const blockCount = outputLayer === 'penultimate' ? depth - 1 : depth;
      for (let index = 0; index < blockCount; index++) tokens = (this.blocks.at(index) as VisionTransformerBlock).forward(tokens);
      return outputLayer === 'penultimate' ? tokens : (this.norm.forward(tokens) as tf.Tensor3D);
    });
  }

  /** Host values of the sine-cosine embeddings for a grid, cached per grid (host memory only; no tensors kept). */
  #sincosPositions(rows: number, columns: number): Float32Array {
    const key = `${rows}x${columns}`;
    let values = this.#positionCache.get(key);
    if (!values) {
      const coordinateScale = this.config.positionScale === 'native-extent' ? this.nativeGridSize / Math.max(rows, columns) : 1;
      values = sincosPositionEmbedding2d(this.config.width, rows, columns, { coordinateScale });
      this.#positionCache.set(key, values);
    }
    return values;
  }
}
