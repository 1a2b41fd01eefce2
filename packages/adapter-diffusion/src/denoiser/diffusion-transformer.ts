import type { UnifiedModelV1Condition } from '@reca/core';
import {
  initializeParameter,
  InvalidArgumentError,
  Module,
  ModuleList,
  type SeededRandom,
  ShapeMismatchError,
  tf,
  TimestepEmbedder,
  unpatchify,
} from '@reca/runtime';
import { PatchEmbedding, sincosPositionEmbedding2d } from '@reca/understanding';
import { CaptionEmbedder } from './caption-embedder.js';
import { type DenoiserConditioning, type DenoiserConfig, denoiserConfigDefaults, validateDenoiserConfig } from './denoiser-config.js';
import { DitBlock } from './dit-block.js';
import { FinalLayer } from './final-layer.js';
import { jointAttentionMask } from './joint-attention-mask.js';

/** Configuration of a {@link DiffusionTransformer}: the denoiser's own fields plus the sizes the model derives. */
export interface DiffusionTransformerConfig extends DenoiserConfig {
  /** Latent side (DiT `input_size`), a multiple of `patchSize`. */
  inputSize: number;
  /** Latent channels (DiT `in_channels`); the output has as many (flow matching learns no σ). */
  inChannels: number;
  /** Width of the condition vectors (PixArt/SANA `caption_channels`). */
  conditionWidth: number;
}

/** The condition part the DiT reads: the sequence and its validity mask. */
export type DenoiserCondition = Pick<UnifiedModelV1Condition, 'embeddings' | 'mask'>;

/**
 * The DiT denoiser (Peebles & Xie 2023, facebookresearch/DiT `models.py`), conditioned on a sequence through
 * cross-attention (PixArt-α / SANA — OpenUni) or joint attention (BAGEL-style), predicting the flow velocity ε − x0.
 *
 * ```
 * x = x_embedder(latents) + pos_embed            # [b, N, D], N = (inputSize / p)²
 * c = t_embedder(t · timestepScale)              # [b, D]
 * y = y_embedder(condition)                      # [b, L, D]
 * x = blocks(x, c, y)                            # cross-attention, or self-attention over [y, x]
 * v = unpatchify(final_layer(x, c))              # [b, inputSize, inputSize, inChannels]
 * ```
 *
 * Parameters (DiT names, registration order): `x_embedder.proj.weight` `[D, C, p, p]`, `x_embedder.proj.bias`,
 * `t_embedder.mlp.0.*`, `t_embedder.mlp.2.*`, `y_embedder.y_proj.fc1|fc2.*`, `pos_embed` `[1, N, D]` (fixed 2-D
 * sine-cosine, not trainable but saved, as DiT's `requires_grad=False` parameter), `blocks.N.*` (see {@link DitBlock}),
 * `final_layer.linear.*`, `final_layer.adaLN_modulation.1.*`.
 *
 * Initialisation (DiT `initialize_weights`): xavier-uniform linears with zero biases; `x_embedder.proj.weight`
 * xavier-uniform as a `[D, C·p·p]` matrix; `t_embedder` N(0, 0.02²); AdaLN modulations and the final layer zero, so the
 * untrained model predicts 0 everywhere (AdaLN-Zero).
 */
export class DiffusionTransformer extends Module {
  readonly config: Required<DiffusionTransformerConfig>;
  readonly xEmbedder: PatchEmbedding;
  readonly tEmbedder: TimestepEmbedder;
  readonly yEmbedder: CaptionEmbedder;
  readonly positionEmbedding: tf.Variable;
  readonly blocks: ModuleList<DitBlock>;
  readonly finalLayer: FinalLayer;

  constructor(config: DiffusionTransformerConfig, random: SeededRandom) {
    super();
    validateDenoiserConfig(config, 'denoiser');
    const resolved: Required<DiffusionTransformerConfig> = { ...denoiserConfigDefaults, ...stripUndefined(config) } as Required<DiffusionTransformerConfig>;
    const { inputSize, inChannels, conditionWidth, patchSize, hiddenSize, depth, numHeads, mlpRatio, conditioning, frequencyEmbeddingSize } = resolved;
    for (const [argument, value] of [['inputSize', inputSize], ['inChannels', inChannels], ['conditionWidth', conditionWidth]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument: `denoiser.${argument}`, message: `must be a positive integer, got ${value}` });
    }
    if (inputSize % patchSize !== 0) {
      throw new InvalidArgumentError({ argument: 'denoiser.patchSize', message: `must divide the latent size ${inputSize}, got ${patchSize}` });
    }
    this.config = resolved;
    const grid = inputSize / patchSize;

    this.xEmbedder = this.registerModule('x_embedder', new PatchEmbedding({ patchSize, inChannels, width: hiddenSize, random }));
    // DiT: w = x_embedder.proj.weight.data; xavier_uniform_(w.view([w.shape[0], -1])); constant_(proj.bias, 0).
    tf.tidy(() => {
      this.xEmbedder.weight.assign(
        initializeParameter([hiddenSize, inChannels, patchSize, patchSize], { kind: 'xavier-uniform' }, random, {
          fanIn: inChannels * patchSize * patchSize,
          fanOut: hiddenSize,
        }),
      );
      this.xEmbedder.bias.assign(tf.zerosLike(this.xEmbedder.bias));
    });
    this.tEmbedder = this.registerModule('t_embedder', new TimestepEmbedder({ hiddenSize, frequencyEmbeddingSize, random }));
    this.yEmbedder = this.registerModule('y_embedder', new CaptionEmbedder(conditionWidth, hiddenSize, random));
    this.positionEmbedding = this.registerParameter(
      'pos_embed',
      tf.tensor3d(sincosPositionEmbedding2d(hiddenSize, grid, grid), [1, grid * grid, hiddenSize]),
      { trainable: false },
    );
    this.blocks = this.registerModule(
      'blocks',
      new ModuleList(Array.from({ length: depth }, () => new DitBlock({ hiddenSize, numHeads, mlpRatio, conditioning, random }))),
    );
    this.finalLayer = this.registerModule('final_layer', new FinalLayer(hiddenSize, patchSize, inChannels, random));
  }

  /** The conditioning mode. */
  get conditioning(): DenoiserConditioning {
    return this.config.conditioning;
  }

  /**
   * Predicts the flow velocity.
   *
   * @param latents - float32 `[batch, inputSize, inputSize, inChannels]`: x_t.
   * @param timesteps - float32 `[batch]`: t ∈ [0, 1].
   * @param condition - `embeddings` float32 `[batch, length, conditionWidth]`, `mask` float32 `[batch, length]`.
   * @returns float32 `[batch, inputSize, inputSize, inChannels]`; the caller owns it.
   */
  forward(latents: tf.Tensor4D, timesteps: tf.Tensor1D, condition: DenoiserCondition): tf.Tensor4D {
    const { inputSize, inChannels, conditionWidth, patchSize, hiddenSize, timestepScale } = this.config;
    if (latents.rank !== 4 || latents.shape[1] !== inputSize || latents.shape[2] !== inputSize || latents.shape[3] !== inChannels) {
      throw new ShapeMismatchError({ tensorName: 'latents', expected: [null, inputSize, inputSize, inChannels], actual: latents.shape, context: 'DiffusionTransformer.forward' });
    }
    const batchSize = latents.shape[0];
    if (timesteps.rank !== 1 || timesteps.shape[0] !== batchSize) {
      throw new ShapeMismatchError({ tensorName: 'timesteps', expected: [batchSize], actual: timesteps.shape, context: 'DiffusionTransformer.forward' });
    }
    const { embeddings, mask } = condition;
    if (embeddings.rank !== 3 || embeddings.shape[0] !== batchSize || embeddings.shape[2] !== conditionWidth) {
      throw new ShapeMismatchError({ tensorName: 'condition.embeddings', expected: [batchSize, null, conditionWidth], actual: embeddings.shape, context: 'DiffusionTransformer.forward' });
    }
    const conditionLength = embeddings.shape[1];
    if (mask.rank !== 2 || mask.shape[0] !== batchSize || mask.shape[1] !== conditionLength) {
      throw new ShapeMismatchError({ tensorName: 'condition.mask', expected: [batchSize, conditionLength], actual: mask.shape, context: 'DiffusionTransformer.forward' });
    }
    return tf.tidy(() => {
      const imageTokens = (inputSize / patchSize) ** 2;
      const patches = tf.add(this.xEmbedder.forward(latents), this.positionEmbedding) as tf.Tensor3D; // [b, N, D]
      const conditioningVector = this.tEmbedder.forward(tf.mul(timesteps, timestepScale)); // [b, D]
      const context = this.yEmbedder.forward(embeddings); // [b, L, D]
      const contextMask = tf.cast(mask, 'float32') as tf.Tensor2D;
      let hidden: tf.Tensor3D;
      if (this.config.conditioning === 'cross-attention') {
        hidden = patches;
        for (const block of this.blocks) hidden = block.forward(hidden, { conditioning: conditioningVector, context, contextMask });
      } else {
        const attentionMask = jointAttentionMask(conditionLength, imageTokens); // [L + N, L + N]
        const keyPaddingMask = tf.concat([contextMask, tf.ones([batchSize, imageTokens])], 1) as tf.Tensor2D; // [b, L + N]
        let sequence = tf.concat([context, patches], 1) as tf.Tensor3D; // [b, L + N, D]
        for (const block of this.blocks) sequence = block.forward(sequence, { conditioning: conditioningVector, attentionMask, keyPaddingMask });
        hidden = tf.slice(sequence, [0, conditionLength, 0], [batchSize, imageTokens, hiddenSize]);
      }
      const output = this.finalLayer.forward(hidden, conditioningVector); // [b, N, p·p·C]
      return unpatchify(output, patchSize, inputSize, inChannels, { featureOrder: 'row-column-channel' });
    });
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
