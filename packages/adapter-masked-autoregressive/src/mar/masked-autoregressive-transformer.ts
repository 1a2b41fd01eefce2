import { initializeParameter, LayerNorm, Linear, Module, ModuleList, type SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { DiffusionLossHead } from '../diffusion/diffusion-loss-head.js';
import type { DiffusionVarianceType } from '../diffusion/gaussian-diffusion.js';
import { gatherTokens, placeTokens } from '../masking/token-indexing.js';
import { MarBlock } from './mar-block.js';

/** Sizes of a {@link MaskedAutoregressiveTransformer} (MAR's constructor arguments, spelled out). */
export interface MarTransformerConfig {
  /** Tokens in the sequence (`seq_len = (img_size / vae_stride / patch_size)²`). */
  sequenceLength: number;
  /** Channels of one token (`token_embed_dim = vae_embed_dim · patch_size²`). */
  tokenChannels: number;
  /** `encoder_embed_dim` (mar_base 768). */
  encoderWidth: number;
  /** `encoder_depth` (mar_base 12). */
  encoderDepth: number;
  /** `encoder_num_heads` (mar_base 12). */
  encoderNumHeads: number;
  /** `decoder_embed_dim`. */
  decoderWidth: number;
  decoderDepth: number;
  decoderNumHeads: number;
  /** MLP ratio of every block (MAR: 4). */
  mlpRatio: number;
  /** Buffer tokens before the image tokens (`buffer_size`, MAR/Harmon: 64). */
  bufferSize: number;
  /** The diffusion head: `diffloss_w`, `diffloss_d`, training steps and variance type. */
  diffusionWidth: number;
  diffusionDepth: number;
  numTimesteps: number;
  varianceType: DiffusionVarianceType;
}

/**
 * MAR's masked-autoregressive transformer (LTH14/mar `models/mar.py`, class `MAR`, without the class embedding: the
 * condition enters through Harmon's residual path instead, and the buffer tokens hold `fake_latent` as in Harmon).
 *
 * Encoder (`forward_mae_encoder`): tokens → `z_proj`, buffer tokens prepended, `+ encoder_pos_embed_learned`,
 * `z_proj_ln`, masked tokens dropped, `encoder_blocks.N`, `encoder_norm`.
 * Decoder (`forward_mae_decoder`): `decoder_embed`, masked positions refilled with `mask_token`,
 * `+ decoder_pos_embed_learned`, `decoder_blocks.N`, `decoder_norm`, buffers removed, `+ diffusion_pos_embed_learned`
 * → the per-token condition z of the diffusion head `diffloss` (`diffloss.net.*`).
 *
 * Parameters (MAR names): `fake_latent` `[1, We]`, `z_proj.*`, `z_proj_ln.*`, `encoder_pos_embed_learned`
 * `[1, L + B, We]`, `encoder_blocks.N.*`, `encoder_norm.*`, `decoder_embed.*`, `mask_token` `[1, 1, Wd]`,
 * `decoder_pos_embed_learned` `[1, L + B, Wd]`, `decoder_blocks.N.*`, `decoder_norm.*`,
 * `diffusion_pos_embed_learned` `[1, L, Wd]`, `diffloss.net.*`. Embeddings N(0, 0.02²); linears xavier-uniform.
 */
export class MaskedAutoregressiveTransformer extends Module {
  readonly config: MarTransformerConfig;
  readonly fakeLatent: tf.Variable;
  readonly tokenProjection: Linear;
  readonly tokenProjectionNorm: LayerNorm;
  readonly encoderPositionEmbedding: tf.Variable;
  readonly encoderBlocks: ModuleList<MarBlock>;
  readonly encoderNorm: LayerNorm;
  readonly decoderEmbed: Linear;
  readonly maskToken: tf.Variable;
  readonly decoderPositionEmbedding: tf.Variable;
  readonly decoderBlocks: ModuleList<MarBlock>;
  readonly decoderNorm: LayerNorm;
  readonly diffusionPositionEmbedding: tf.Variable;
  readonly diffusionHead: DiffusionLossHead;

  constructor(config: MarTransformerConfig, random: SeededRandom) {
    super();
    this.config = { ...config };
    const { sequenceLength, tokenChannels, encoderWidth, decoderWidth, bufferSize, mlpRatio } = config;
    const embedding = { kind: 'normal', standardDeviation: 0.02 } as const;
    const linear = { weightInitializer: { kind: 'xavier-uniform' } as const, biasInitializer: { kind: 'zeros' } as const };
    this.fakeLatent = this.registerParameter('fake_latent', initializeParameter([1, encoderWidth], embedding, random));
    this.tokenProjection = this.registerModule('z_proj', new Linear({ inFeatures: tokenChannels, outFeatures: encoderWidth, random, ...linear }));
    this.tokenProjectionNorm = this.registerModule('z_proj_ln', new LayerNorm({ normalizedShape: encoderWidth, epsilon: 1e-6 }));
    this.encoderPositionEmbedding = this.registerParameter(
      'encoder_pos_embed_learned',
      initializeParameter([1, sequenceLength + bufferSize, encoderWidth], embedding, random),
    );
    this.encoderBlocks = this.registerModule(
      'encoder_blocks',
      new ModuleList(Array.from({ length: config.encoderDepth }, () => new MarBlock({ width: encoderWidth, numHeads: config.encoderNumHeads, mlpRatio, random }))),
    );
    this.encoderNorm = this.registerModule('encoder_norm', new LayerNorm({ normalizedShape: encoderWidth, epsilon: 1e-6 }));
    this.decoderEmbed = this.registerModule('decoder_embed', new Linear({ inFeatures: encoderWidth, outFeatures: decoderWidth, random, ...linear }));
    this.maskToken = this.registerParameter('mask_token', initializeParameter([1, 1, decoderWidth], embedding, random));
    this.decoderPositionEmbedding = this.registerParameter(
      'decoder_pos_embed_learned',
      initializeParameter([1, sequenceLength + bufferSize, decoderWidth], embedding, random),
    );
    this.decoderBlocks = this.registerModule(
      'decoder_blocks',
      new ModuleList(Array.from({ length: config.decoderDepth }, () => new MarBlock({ width: decoderWidth, numHeads: config.decoderNumHeads, mlpRatio, random }))),
    );
    this.decoderNorm = this.registerModule('decoder_norm', new LayerNorm({ normalizedShape: decoderWidth, epsilon: 1e-6 }));
    this.diffusionPositionEmbedding = this.registerParameter('diffusion_pos_embed_learned', initializeParameter([1, sequenceLength, decoderWidth], embedding, random));
    this.diffusionHead = this.registerModule(
      'diffloss',
      new DiffusionLossHead(
        {
          tokenChannels,
          conditionChannels: decoderWidth,
          width: config.diffusionWidth,
          depth: config.diffusionDepth,
          numTimesteps: config.numTimesteps,
          varianceType: config.varianceType,
        },
        random,
      ),
    );
  }

  /**
   * The MAE encoder over the visible tokens.
   *
   * @param tokens - float32 `[batch, sequenceLength, tokenChannels]` (values at masked positions are never read).
   * @param visible - per sample, the indices of the visible tokens, ascending; the same count for every sample
   *   (all indices for Harmon's understanding features, none at the first sampling step).
   * @returns float32 `[batch, bufferSize + visible, encoderWidth]`: buffers first, then the visible tokens in order;
   *   the caller owns it.
   */
  encode(tokens: tf.Tensor3D, visible: readonly (readonly number[])[]): tf.Tensor3D {
    const { sequenceLength, tokenChannels, bufferSize, encoderWidth } = this.config;
    const [batchSize] = tokens.shape;
    if (tokens.shape[1] !== sequenceLength || tokens.shape[2] !== tokenChannels) {
      throw new ShapeMismatchError({ tensorName: 'tokens', expected: [batchSize, sequenceLength, tokenChannels], actual: tokens.shape, context: 'MaskedAutoregressiveTransformer.encode' });
    }
    const kept = visible.map((indices) => [...Array.from({ length: bufferSize }, (_, index) => index), ...indices.map((index) => index + bufferSize)]);
    return tf.tidy(() => {
      const projected = this.tokenProjection.forward(tokens) as tf.Tensor3D; // [b, L, We]
      const buffers = tf.tile(tf.reshape(this.fakeLatent, [1, 1, encoderWidth]), [batchSize, bufferSize, 1]);
      const withBuffers = tf.concat([buffers, projected], 1); // [b, B + L, We]
      const normalized = this.tokenProjectionNorm.forward(tf.add(withBuffers, this.encoderPositionEmbedding)) as tf.Tensor3D;
      let hidden = gatherTokens(normalized, kept); // [b, B + V, We]
      for (const block of this.encoderBlocks) hidden = block.forward(hidden);
      return this.encoderNorm.forward(hidden) as tf.Tensor3D;
    });
  }

  /**
   * The MAE decoder: the per-token condition z of the diffusion head.
   *
   * @param encoded - float32 `[batch, bufferSize + visible, encoderWidth]` (from {@link encode}, possibly with the
   *   condition added).
   * @param visible - the same visible indices given to {@link encode}.
   * @returns float32 `[batch, sequenceLength, decoderWidth]`; the caller owns it.
   */
  decode(encoded: tf.Tensor3D, visible: readonly (readonly number[])[]): tf.Tensor3D {
    const { sequenceLength, bufferSize, decoderWidth, encoderWidth } = this.config;
    const [batchSize, rows] = encoded.shape;
    const visibleCount = visible[0]?.length ?? 0;
    if (encoded.shape[2] !== encoderWidth || rows !== bufferSize + visibleCount) {
      throw new ShapeMismatchError({
        tensorName: 'encoded',
        expected: [batchSize, bufferSize + visibleCount, encoderWidth],
        actual: encoded.shape,
        context: 'MaskedAutoregressiveTransformer.decode',
      });
    }
    const positions = visible.map((indices) => [...Array.from({ length: bufferSize }, (_, index) => index), ...indices.map((index) => index + bufferSize)]);
    return tf.tidy(() => {
      const embedded = this.decoderEmbed.forward(encoded) as tf.Tensor3D; // [b, B + V, Wd]
      const padded = placeTokens(embedded, positions, bufferSize + sequenceLength, tf.reshape(this.maskToken, [1, decoderWidth])); // [b, B + L, Wd]
      let hidden = tf.add(padded, this.decoderPositionEmbedding) as tf.Tensor3D;
      for (const block of this.decoderBlocks) hidden = block.forward(hidden);
      hidden = this.decoderNorm.forward(hidden) as tf.Tensor3D;
      const tokens = tf.slice(hidden, [0, bufferSize, 0], [batchSize, sequenceLength, decoderWidth]);
      return tf.add(tokens, this.diffusionPositionEmbedding) as tf.Tensor3D;
    });
  }
}
