import { type KeyValueCache, Module, MultiHeadAttention, RMSNorm, SwiGluMlp, tf, type AttentionForwardOptions, type SeededRandom } from '@reca/runtime';
import { feedForwardHiddenDim, type LlamaGenTransformerConfig } from './llamagen-transformer-config.js';

/**
 * One LlamaGen/LLaMA block (`TransformerBlock` in LlamaGen's `autoregressive/models/gpt.py`), pre-norm:
 * `h = x + attention(attention_norm(x))`, `out = h + feed_forward(ffn_norm(h))`.
 *
 * Parameters: `attention.wqkv.weight` `[3·dim, dim]`, `attention.wo.weight` `[dim, dim]` (no biases),
 * `feed_forward.w1/w2/w3.weight` (SwiGLU), `attention_norm.weight`, `ffn_norm.weight` (RMSNorm) — LlamaGen's
 * names. Key/value heads equal query heads (LlamaGen's `n_kv_head = n_head` default). No dropout/drop-path.
 */
export class TransformerBlock extends Module {
  readonly attention: MultiHeadAttention;
  readonly feedForward: SwiGluMlp;
  readonly attentionNorm: RMSNorm;
  readonly ffnNorm: RMSNorm;

  constructor(config: LlamaGenTransformerConfig, random: SeededRandom) {
    super();
    const initializer = { kind: 'normal', standardDeviation: config.initializerRange } as const;
    this.attention = this.registerModule(
      'attention',
      new MultiHeadAttention({
        dim: config.dim,
        numHeads: config.numHeads,
        projection: 'fused-qkv',
        qkvBias: false,
        outputBias: false,
        names: { fusedQueryKeyValue: 'wqkv', output: 'wo' },
        weightInitializer: initializer,
        random,
      }),
    );
    this.feedForward = this.registerModule(
      'feed_forward',
      new SwiGluMlp({ dim: config.dim, hiddenDim: feedForwardHiddenDim(config), weightInitializer: initializer, random }),
    );
    this.attentionNorm = this.registerModule('attention_norm', new RMSNorm({ dim: config.dim, epsilon: config.normEpsilon }));
    this.ffnNorm = this.registerModule('ffn_norm', new RMSNorm({ dim: config.dim, epsilon: config.normEpsilon }));
  }

  /**
   * @param input - float32 `[batch, tokens, dim]`.
   * @param options - masks and RoPE for the attention.
   * @returns float32 `[batch, tokens, dim]`; the caller owns it.
   */
  forward(input: tf.Tensor3D, options: AttentionForwardOptions): tf.Tensor3D {
    return tf.tidy(() => {
      const hidden = tf.add(input, this.attention.forward(this.attentionNorm.forward(input), options));
      return tf.add(hidden, this.feedForward.forward(this.ffnNorm.forward(hidden))) as tf.Tensor3D;
    });
  }

  /**
   * The same block over new tokens, reusing and extending the attention's key/value cache.
   *
   * @param input - float32 `[batch, newTokens, dim]`.
   * @returns the output float32 `[batch, newTokens, dim]` and the extended cache; the caller owns them (the input
   *   cache stays alive).
   */
  forwardWithCache(
    input: tf.Tensor3D,
    options: AttentionForwardOptions & { cache: KeyValueCache | null },
  ): { output: tf.Tensor3D; cache: KeyValueCache } {
    const normalized = this.attentionNorm.forward(input);
    const attended = this.attention.forwardWithCache(normalized, options);
    normalized.dispose();
    const output = tf.tidy(() => {
      const hidden = tf.add(input, attended.output);
      return tf.add(hidden, this.feedForward.forward(this.ffnNorm.forward(hidden))) as tf.Tensor3D;
    });
    attended.output.dispose();
    return { output, cache: attended.cache };
  }
}
