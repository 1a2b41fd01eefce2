import type { UnifiedModelV1Condition } from '@reca/core';
import { Mlp, Module, patchify, type SeededRandom, ShapeMismatchError, tf, unpatchify, withoutGradient } from '@reca/runtime';
import { KlAutoencoder } from '../autoencoder/kl-autoencoder.js';
import type { LatentCodec } from '../autoencoder/latent-codec.js';
import { PixelCodec } from '../autoencoder/pixel-codec.js';
import { ConditionFusion } from '../mar/condition-fusion.js';
import { MaskedAutoregressiveTransformer } from '../mar/masked-autoregressive-transformer.js';
import { type MaskedAutoregressiveUmmConfig, imageTokenizerDownsampleFactor, imageTokenizerLatentChannels } from './masked-autoregressive-umm-config.js';

/**
 * The generation side of the model (Harmon's layout): the frozen image tokenizer `vae.*` (KL autoencoder; none for
 * pixel tokens), the MAR transformer `mar.*` (MAE encoder/decoder and the diffusion head `mar.diffloss.net.*`), and
 * Harmon's bridge to the language side: `proj_in.{0,2}` (Linear–SiLU–Linear, MAR encoder width → condition width;
 * also the understanding projector with `'mar-encoder'` understanding, as in Harmon), the fusion layers `llm.*`
 * (Harmon's LLM on the generation path) and `proj_out.{0,2}` (back to the MAR encoder width).
 *
 * Conditioning (Harmon's `forward`): the MAR encoder encodes the visible tokens and the buffers; `proj_in` maps them
 * to the condition width; the fusion layers read `[condition, those tokens]`; `proj_out` of their outputs at the image
 * positions is **added** to the MAR encoder's output (a residual), which the MAR decoder then reads. The condition is
 * prepended only inside the fusion layers, never to the MAR encoder or decoder, so the MAR encoder run for
 * understanding (nothing masked, no condition) is the very network the generator uses.
 */
export class MaskedAutoregressiveGenerator extends Module {
  readonly codec: LatentCodec;
  readonly autoencoder: KlAutoencoder | null;
  readonly mar: MaskedAutoregressiveTransformer;
  readonly projectIn: Mlp;
  readonly fusion: ConditionFusion;
  readonly projectOut: Mlp;
  /** Tokens per side of the token grid. */
  readonly gridSize: number;
  readonly patchSize: number;
  readonly latentChannels: number;

  /**
   * @param config - the model configuration.
   * @param conditionWidth - the condition encoder's width (what the fusion layers read).
   * @param random - stream of the initial weights (autoencoder, MAR, proj_in, fusion, proj_out in that order).
   */
  constructor(config: MaskedAutoregressiveUmmConfig, conditionWidth: number, random: SeededRandom) {
    super();
    const { generator, diffusionHead, imageTokenizer } = config;
    this.patchSize = generator.patchSize;
    this.latentChannels = imageTokenizerLatentChannels(imageTokenizer);
    this.gridSize = config.imageSize / imageTokenizerDownsampleFactor(imageTokenizer) / generator.patchSize;
    if (imageTokenizer.type === 'kl-autoencoder') {
      this.autoencoder = this.registerModule('vae', new KlAutoencoder(imageTokenizer.autoencoder, random));
      this.autoencoder.setTrainable(false);
      this.codec = this.autoencoder;
    } else {
      this.autoencoder = null;
      this.codec = new PixelCodec();
    }
    this.mar = this.registerModule(
      'mar',
      new MaskedAutoregressiveTransformer(
        {
          sequenceLength: this.gridSize * this.gridSize,
          tokenChannels: this.latentChannels * generator.patchSize * generator.patchSize,
          encoderWidth: generator.encoderWidth,
          encoderDepth: generator.encoderDepth,
          encoderNumHeads: generator.encoderNumHeads,
          decoderWidth: generator.decoderWidth,
          decoderDepth: generator.decoderDepth,
          decoderNumHeads: generator.decoderNumHeads,
          mlpRatio: generator.mlpRatio,
          bufferSize: generator.bufferSize,
          diffusionWidth: diffusionHead.width,
          diffusionDepth: diffusionHead.depth,
          numTimesteps: diffusionHead.numTimesteps,
          varianceType: diffusionHead.varianceType,
        },
        random,
      ),
    );
    const xavier = { weightInitializer: { kind: 'xavier-uniform' } as const, biasInitializer: { kind: 'zeros' } as const };
    this.projectIn = this.registerModule(
      'proj_in',
      new Mlp({ inFeatures: generator.encoderWidth, hiddenFeatures: conditionWidth, outFeatures: conditionWidth, activation: 'silu', layerNames: ['0', '2'], random, ...xavier }),
    );
    this.fusion = this.registerModule(
      'llm',
      new ConditionFusion({ width: conditionWidth, depth: config.fusion.depth, numHeads: config.fusion.numHeads, intermediateSize: config.fusion.intermediateSize, random }),
    );
    this.projectOut = this.registerModule(
      'proj_out',
      new Mlp({ inFeatures: conditionWidth, hiddenFeatures: conditionWidth, outFeatures: generator.encoderWidth, activation: 'silu', layerNames: ['0', '2'], random, ...xavier }),
    );
  }

  /** Tokens in the sequence. */
  get sequenceLength(): number {
    return this.gridSize * this.gridSize;
  }

  /** Channels of one token. */
  get tokenChannels(): number {
    return this.mar.config.tokenChannels;
  }

  /**
   * Images → tokens: the frozen tokenizer's scaled latents (gradient stopped), cut into `patchSize` patches in MAR's
   * `patchify` order (channel, row, column within a token), tokens in raster order.
   *
   * @param images - float32 `[batch, imageSize, imageSize, 3]` in [0, 1].
   * @param random - draws the posterior sample; without it the posterior mean is used.
   * @returns float32 `[batch, sequenceLength, tokenChannels]`; the caller owns it.
   */
  imagesToTokens(images: tf.Tensor4D, random?: SeededRandom): tf.Tensor3D {
    return tf.tidy(() => {
      // The frozen tokenizer runs with the tape paused: no gradient, and nothing of it kept for the backward pass.
      const latents = withoutGradient(() => this.codec.encode(images, { sample: random !== undefined, random }));
      return patchify(latents, this.patchSize, { featureOrder: 'channel-row-column' });
    });
  }

  /**
   * Tokens → images through the tokenizer's decoder.
   * @param tokens - float32 `[batch, sequenceLength, tokenChannels]`.
   * @returns float32 `[batch, imageSize, imageSize, 3]` in [0, 1]; the caller owns it.
   */
  tokensToImages(tokens: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const latents = unpatchify(tokens, this.patchSize, this.gridSize * this.patchSize, this.latentChannels, { featureOrder: 'channel-row-column' });
      return this.codec.decode(latents);
    });
  }

  /**
   * Harmon's understanding features: the MAR encoder over every token (nothing masked), buffers moved to the end,
   * then `proj_in`.
   *
   * @param tokens - float32 `[batch, sequenceLength, tokenChannels]` (clean latents).
   * @returns float32 `[batch, sequenceLength + bufferSize, conditionWidth]`; the caller owns it.
   */
  understandingFeatures(tokens: tf.Tensor3D): tf.Tensor3D {
    const batchSize = tokens.shape[0];
    const all = Array.from({ length: batchSize }, () => Array.from({ length: this.sequenceLength }, (_, index) => index));
    const bufferSize = this.mar.config.bufferSize;
    return tf.tidy(() => {
      const encoded = this.mar.encode(tokens, all); // [b, B + L, We]
      const width = encoded.shape[2];
      const reordered =
        bufferSize === 0
          ? encoded
          : tf.concat(
              [tf.slice(encoded, [0, bufferSize, 0], [batchSize, this.sequenceLength, width]), tf.slice(encoded, [0, 0, 0], [batchSize, bufferSize, width])],
              1,
            );
      return this.projectIn.forward(reordered) as tf.Tensor3D;
    });
  }

  /**
   * Encoder, condition, decoder: the per-token condition z of the diffusion head.
   *
   * @param tokens - float32 `[batch, sequenceLength, tokenChannels]` (masked positions are not read).
   * @param visible - per sample, ascending indices of the visible tokens (the same count for all).
   * @param condition - from `doBuildCondition`; its width is the condition width.
   * @returns float32 `[batch, sequenceLength, decoderWidth]`; the caller owns it.
   */
  tokenConditions(tokens: tf.Tensor3D, visible: readonly (readonly number[])[], condition: UnifiedModelV1Condition): tf.Tensor3D {
    if (condition.embeddings.shape[0] !== tokens.shape[0]) {
      throw new ShapeMismatchError({
        tensorName: 'condition.embeddings',
        expected: [tokens.shape[0], null, this.fusion.config.width],
        actual: condition.embeddings.shape,
        context: 'MaskedAutoregressiveGenerator (one condition per target image)',
      });
    }
    return tf.tidy(() => {
      const encoded = this.mar.encode(tokens, visible);
      return this.mar.decode(this.fuseCondition(encoded, condition), visible);
    });
  }

  /**
   * Harmon's residual path: `encoded + proj_out(llm([condition, proj_in(encoded)])[image positions])`.
   * @param encoded - float32 `[batch, bufferSize + visible, encoderWidth]`.
   * @returns float32, same shape; the caller owns it.
   */
  fuseCondition(encoded: tf.Tensor3D, condition: UnifiedModelV1Condition): tf.Tensor3D {
    return tf.tidy(() => tf.add(encoded, this.projectOut.forward(this.fusion.forward(this.projectIn.forward(encoded) as tf.Tensor3D, condition))) as tf.Tensor3D);
  }
}
