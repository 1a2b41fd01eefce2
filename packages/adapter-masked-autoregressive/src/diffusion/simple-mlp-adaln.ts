import { Linear, Module, ModuleList, type SeededRandom, ShapeMismatchError, TimestepEmbedder, tf } from '@reca/runtime';
import { DiffusionFinalLayer } from './final-layer.js';
import { DiffusionResBlock } from './res-block.js';

/** Configuration of a {@link SimpleMlpAdaLn}. */
export interface SimpleMlpAdaLnConfig {
  /** Channels of one token (MAR's `token_embed_dim`). */
  inChannels: number;
  /** Hidden width (MAR's `diffloss_w`: 1024 for mar_base; Harmon-1.5B 1536). */
  modelChannels: number;
  /** Output channels: `inChannels` (ε only) or `2·inChannels` (ε and the learned-variance values). */
  outChannels: number;
  /** Width of the per-token condition z (the MAR decoder width). */
  conditionChannels: number;
  /** Residual blocks (MAR's `diffloss_d`: 3 for mar_base in MAR, 6/12 in Harmon). */
  numResBlocks: number;
  random: SeededRandom;
}

/**
 * MAR's denoiser MLP (`SimpleMLPAdaLN` in models/diffloss.py): `x → input_proj`, `y = time_embed(t) + cond_embed(z)`,
 * residual AdaLN blocks conditioned on `y`, then the AdaLN final layer.
 *
 * Parameters (MAR names): `time_embed.mlp.{0,2}.*`, `cond_embed.weight|bias` `[modelChannels, conditionChannels]`,
 * `input_proj.weight|bias` `[modelChannels, inChannels]`, `res_blocks.N.*`, `final_layer.*`. Initialisation as MAR:
 * xavier-uniform linears with zero biases, N(0, 0.02²) timestep MLP, zero AdaLN modulations and output layer.
 */
export class SimpleMlpAdaLn extends Module {
  readonly config: Omit<SimpleMlpAdaLnConfig, 'random'>;
  readonly timeEmbed: TimestepEmbedder;
  readonly conditionEmbed: Linear;
  readonly inputProjection: Linear;
  readonly resBlocks: ModuleList<DiffusionResBlock>;
  readonly finalLayer: DiffusionFinalLayer;

  constructor(config: SimpleMlpAdaLnConfig) {
    super();
    const { inChannels, modelChannels, outChannels, conditionChannels, numResBlocks, random } = config;
    this.config = { inChannels, modelChannels, outChannels, conditionChannels, numResBlocks };
    const xavier = { kind: 'xavier-uniform' } as const;
    const zeros = { kind: 'zeros' } as const;
    this.timeEmbed = this.registerModule('time_embed', new TimestepEmbedder({ hiddenSize: modelChannels, random }));
    this.conditionEmbed = this.registerModule(
      'cond_embed',
      new Linear({ inFeatures: conditionChannels, outFeatures: modelChannels, random, weightInitializer: xavier, biasInitializer: zeros }),
    );
    this.inputProjection = this.registerModule(
      'input_proj',
      new Linear({ inFeatures: inChannels, outFeatures: modelChannels, random, weightInitializer: xavier, biasInitializer: zeros }),
    );
    this.resBlocks = this.registerModule('res_blocks', new ModuleList(Array.from({ length: numResBlocks }, () => new DiffusionResBlock(modelChannels, random))));
    this.finalLayer = this.registerModule('final_layer', new DiffusionFinalLayer(modelChannels, outChannels, random));
  }

  /**
   * @param noisy - float32 `[rows, inChannels]`: x_t.
   * @param timesteps - float32 `[rows]`: original timesteps (0 … T−1).
   * @param condition - float32 `[rows, conditionChannels]`: the per-token condition z.
   * @returns float32 `[rows, outChannels]` (ε first, then the variance values); the caller owns it.
   */
  forward(noisy: tf.Tensor2D, timesteps: tf.Tensor1D, condition: tf.Tensor2D): tf.Tensor2D {
    const rows = noisy.shape[0];
    if (noisy.shape[1] !== this.config.inChannels || timesteps.shape[0] !== rows || condition.shape[0] !== rows || condition.shape[1] !== this.config.conditionChannels) {
      throw new ShapeMismatchError({
        tensorName: 'noisy/timesteps/condition',
        expected: [rows, this.config.inChannels],
        actual: [...noisy.shape, ...timesteps.shape, ...condition.shape],
        context: `SimpleMlpAdaLn.forward (noisy [rows, ${this.config.inChannels}], timesteps [rows], condition [rows, ${this.config.conditionChannels}])`,
      });
    }
    return tf.tidy(() => {
      let hidden = this.inputProjection.forward(noisy) as tf.Tensor2D;
      const embedding = tf.add(this.timeEmbed.forward(timesteps), this.conditionEmbed.forward(condition)) as tf.Tensor2D;
      for (const block of this.resBlocks) hidden = block.forward(hidden, embedding);
      return this.finalLayer.forward(hidden, embedding);
    });
  }
}
