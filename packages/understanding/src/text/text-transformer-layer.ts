import {
  type Initializer,
  type KeyValueCache,
  Module,
  MultiHeadAttention,
  RMSNorm,
  type RotaryEmbedding,
  type SeededRandom,
  SwiGluMlp,
  tf,
} from '@reca/runtime';

/** Configuration of a {@link TextTransformerLayer}. */
export interface TextTransformerLayerConfig {
  width: number;
  numHeads: number;
  intermediateSize: number;
  rmsNormEpsilon: number;
  attentionBias: boolean;
  weightInitializer: Initializer;
  random: SeededRandom;
}

/** Masks and positions of one {@link TextTransformerLayer} call. */
export interface TextTransformerLayerOptions {
  /** bool/0-1 `[queries, keys]` or `[batch, queries, keys]`, `true` where attending is allowed. */
  mask?: tf.Tensor;
  /** bool/0-1 `[batch, keys]`, 0 at keys no query may read (padding, dropped tokens). */
  keyPaddingMask?: tf.Tensor;
  /** Rotary embedding of the (new) query positions, `[queries, headDim]`, `'half'` layout. */
  rotary: RotaryEmbedding;
}

/**
 * One LLaMA decoder layer with Hugging Face names (`LlamaDecoderLayer`/`Qwen2DecoderLayer`):
 * `x + self_attn(input_layernorm(x))`, then `x + mlp(post_attention_layernorm(x))`. The attention pattern (causal,
 * bidirectional, block) is entirely given by the masks, so one layer serves decoders and encoders.
 *
 * Parameters: `input_layernorm.weight` `[width]`, `self_attn.q_proj.weight` `[width, width]`,
 * `self_attn.k_proj.weight`, `self_attn.v_proj.weight` (biases with `attentionBias`), `self_attn.o_proj.weight`,
 * `post_attention_layernorm.weight`, `mlp.gate_proj.weight` `[intermediate, width]`, `mlp.down_proj.weight`
 * `[width, intermediate]`, `mlp.up_proj.weight` `[intermediate, width]`.
 */
export class TextTransformerLayer extends Module {
  readonly inputNorm: RMSNorm;
  readonly attention: MultiHeadAttention;
  readonly postAttentionNorm: RMSNorm;
  readonly mlp: SwiGluMlp;

  constructor(config: TextTransformerLayerConfig) {
    super();
    const { width, numHeads, intermediateSize, rmsNormEpsilon, attentionBias, weightInitializer, random } = config;
    this.inputNorm = this.registerModule('input_layernorm', new RMSNorm({ dim: width, epsilon: rmsNormEpsilon }));
    this.attention = this.registerModule(
      'self_attn',
      new MultiHeadAttention({
        dim: width,
        numHeads,
        projection: 'separate',
        qkvBias: attentionBias,
        outputBias: false,
        names: { query: 'q_proj', key: 'k_proj', value: 'v_proj', output: 'o_proj' },
        random,
        weightInitializer,
        biasInitializer: { kind: 'zeros' },
      }),
    );
    this.postAttentionNorm = this.registerModule('post_attention_layernorm', new RMSNorm({ dim: width, epsilon: rmsNormEpsilon }));
    this.mlp = this.registerModule(
      'mlp',
      new SwiGluMlp({ dim: width, hiddenDim: intermediateSize, layerNames: ['gate_proj', 'down_proj', 'up_proj'], random, weightInitializer }),
    );
  }

  /**
   * @param hidden - float32 `[batch, tokens, width]`.
   * @returns float32 `[batch, tokens, width]`; the caller owns it.
   */
  forward(hidden: tf.Tensor3D, options: TextTransformerLayerOptions): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = this.attention.forward(this.inputNorm.forward(hidden), options);
      return this.#feedForward(tf.add(hidden, attended) as tf.Tensor3D);
    });
  }

  /**
   * The layer over new tokens, reading and extending a key/value cache (incremental decoding).
   *
   * @param hidden - float32 `[batch, newTokens, width]`.
   * @param options - `cache` of the earlier positions (none at the start); masks over `[newTokens, past + newTokens]`.
   * @returns the output `[batch, newTokens, width]` and the extended cache; the caller owns all of them (the input
   *   cache is left alive).
   */
  forwardWithCache(
    hidden: tf.Tensor3D,
    options: TextTransformerLayerOptions & { cache: KeyValueCache | null },
  ): { output: tf.Tensor3D; cache: KeyValueCache } {
    const normalized = tf.tidy(() => this.inputNorm.forward(hidden));
    const attended = this.attention.forwardWithCache(normalized, options);
    normalized.dispose();
    const output = tf.tidy(() => this.#feedForward(tf.add(hidden, attended.output) as tf.Tensor3D));
    attended.output.dispose();
    return { output, cache: attended.cache };
  }

  #feedForward(hidden: tf.Tensor3D): tf.Tensor3D {
    return tf.add(hidden, this.mlp.forward(this.postAttentionNorm.forward(hidden))) as tf.Tensor3D;
  }
}
