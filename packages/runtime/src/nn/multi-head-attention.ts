import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { attentionBias, type AttentionMaskOptions } from './attention-bias.js';
import type { Initializer } from './initializer.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { RMSNorm } from './rms-norm.js';
import { applyRotaryEmbedding, type RotaryEmbedding } from './rotary-embedding.js';
import { scaledDotProductAttention } from './scaled-dot-product-attention.js';
import { assertPositiveInteger } from './shape-checks.js';

/**
 * How queries, keys and values are projected:
 * - `'fused-qkv'`: one linear `dim → 3·heads·headDim`, split in q, k, v order (timm `qkv`, LlamaGen `wqkv`);
 *   self-attention only.
 * - `'separate'`: three linears (HF `q_proj`/`k_proj`/`v_proj`); keys/values read `contextDim` inputs.
 * - `'query-and-fused-kv'`: a query linear and one `contextDim → 2·heads·headDim` linear split in k, v order
 *   (PixArt/SANA cross-attention `q_linear`/`kv_linear`).
 */
export type AttentionProjection = 'fused-qkv' | 'separate' | 'query-and-fused-kv';

/** Local parameter names of the projections and norms, so checkpoints of different codebases load as they are. */
export interface AttentionParameterNames {
  /** @default 'qkv' */
  fusedQueryKeyValue: string;
  /** @default 'q' */
  query: string;
  /** @default 'k' */
  key: string;
  /** @default 'v' */
  value: string;
  /** @default 'kv' */
  fusedKeyValue: string;
  /** @default 'proj' */
  output: string;
  /** @default 'q_norm' */
  queryNorm: string;
  /** @default 'k_norm' */
  keyNorm: string;
}

/** Configuration of a {@link MultiHeadAttention}. */
export interface MultiHeadAttentionConfig {
  /** Width of the query input and of the output. */
  dim: number;
  /** Number of attention heads. */
  numHeads: number;
  /** Channels per head. @default dim / numHeads (must divide evenly then) */
  headDim?: number;
  /** Width of the key/value input for cross-attention. @default dim */
  contextDim?: number;
  /** @default 'fused-qkv' */
  projection?: AttentionProjection;
  /** Bias on the q/k/v projections (LLaMA: false, timm/DiT: true). @default true */
  qkvBias?: boolean;
  /** Bias on the output projection. @default true */
  outputBias?: boolean;
  /** Per-head normalisation of queries and keys over `headDim` before RoPE (timm `qk_norm`, Qwen3). @default 'none' */
  qkNorm?: 'none' | 'layer-norm' | 'rms-norm';
  /** Epsilon of the q/k norms. @default 1e-6 */
  qkNormEpsilon?: number;
  /** Overrides of the local parameter names. @default see {@link AttentionParameterNames} */
  names?: Partial<AttentionParameterNames>;
  /** Stream the initial weights are drawn from. */
  random: SeededRandom;
  /** Initial weights of every projection. @default { kind: 'pytorch-linear' } */
  weightInitializer?: Initializer;
  /** Initial biases of every projection. @default { kind: 'pytorch-linear' } */
  biasInitializer?: Initializer;
  /** Initial weight of the output projection (e.g. GPT-2's scaled residual init). @default weightInitializer */
  outputWeightInitializer?: Initializer;
}

/** Options shared by {@link MultiHeadAttention.forward} and {@link MultiHeadAttention.forwardWithCache}. */
export interface AttentionForwardOptions extends AttentionMaskOptions {
  /**
   * RoPE for the queries, `[queries, headDim]`; in self-attention also applied to the new keys (same positions).
   * With a KV cache, it covers the *new* positions only (`past … past + queries − 1`).
   */
  rotary?: RotaryEmbedding;
  /** RoPE for the keys when they sit at other positions than the queries (`[new keys, headDim]`). @default rotary (self-attention) */
  keyRotary?: RotaryEmbedding;
}

/** Options of {@link MultiHeadAttention.forward}. */
export interface AttentionCallOptions extends AttentionForwardOptions {
  /** Key/value input for cross-attention: float32 `[batch, keys, contextDim]`. @default the query input (self-attention) */
  context?: tf.Tensor;
}

/**
 * Keys and values of earlier positions, per head, after projection, q/k-norm and RoPE — what incremental decoding
 * reuses. Produced by {@link MultiHeadAttention.forwardWithCache}; the caller owns its tensors.
 */
export interface KeyValueCache {
  /** float32 `[batch, heads, past, headDim]`. */
  readonly key: tf.Tensor4D;
  /** float32 `[batch, heads, past, headDim]`. */
  readonly value: tf.Tensor4D;
}

const defaultNames: AttentionParameterNames = {
  fusedQueryKeyValue: 'qkv',
  query: 'q',
  key: 'k',
  value: 'v',
  fusedKeyValue: 'kv',
  output: 'proj',
  queryNorm: 'q_norm',
  keyNorm: 'k_norm',
};

/**
 * Multi-head scaled dot-product attention with input and output projections: self- or cross-attention, masks
 * (causal, full, block, key padding), 1-D/2-D RoPE, optional q/k norm and a KV cache for incremental decoding.
 *
 * Parameters (default names; PyTorch layout `[out, in]`), registered in this order:
 * - `'fused-qkv'`: `qkv.weight` `[3·heads·headDim, dim]`, `qkv.bias`
 * - `'separate'`: `q.*` `[heads·headDim, dim]`, `k.*`, `v.*` `[heads·headDim, contextDim]`
 * - `'query-and-fused-kv'`: `q.*`, `kv.weight` `[2·heads·headDim, contextDim]`, `kv.bias`
 * - with `qkNorm`: `q_norm.weight` `[headDim]` (and `.bias` for layer-norm), `k_norm.*`
 * - `proj.weight` `[dim, heads·headDim]`, `proj.bias` `[dim]`
 *
 * Tensors inside stay at rank ≤ 4 (`[batch, heads, tokens, headDim]`).
 */
export class MultiHeadAttention extends Module {
  readonly dim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly contextDim: number;
  readonly projection: AttentionProjection;
  readonly fusedQueryKeyValue: Linear | null = null;
  readonly query: Linear | null = null;
  readonly key: Linear | null = null;
  readonly value: Linear | null = null;
  readonly fusedKeyValue: Linear | null = null;
  readonly queryNorm: LayerNorm | RMSNorm | null = null;
  readonly keyNorm: LayerNorm | RMSNorm | null = null;
  readonly output: Linear;

  constructor(config: MultiHeadAttentionConfig) {
    super();
    const { dim, numHeads, random, projection = 'fused-qkv', qkvBias = true, outputBias = true, qkNorm = 'none', qkNormEpsilon = 1e-6 } = config;
    assertPositiveInteger(dim, 'dim');
    assertPositiveInteger(numHeads, 'numHeads');
    if (config.headDim === undefined && dim % numHeads !== 0) {
      throw new InvalidArgumentError({ argument: 'numHeads', message: `must divide dim (${dim}) when headDim is not given, got ${numHeads}` });
    }
    const headDim = config.headDim ?? dim / numHeads;
    assertPositiveInteger(headDim, 'headDim');
    const contextDim = config.contextDim ?? dim;
    assertPositiveInteger(contextDim, 'contextDim');
    if (projection === 'fused-qkv' && contextDim !== dim) {
      throw new InvalidArgumentError({ argument: 'projection', message: `'fused-qkv' is self-attention only; contextDim (${contextDim}) must equal dim (${dim})` });
    }
    if (!['fused-qkv', 'separate', 'query-and-fused-kv'].includes(projection)) {
      throw new InvalidArgumentError({ argument: 'projection', message: `must be 'fused-qkv', 'separate' or 'query-and-fused-kv', got '${projection}'` });
    }
    this.dim = dim;
    this.numHeads = numHeads;
    this.headDim = headDim;
    this.contextDim = contextDim;
    this.projection = projection;
    const names = { ...defaultNames, ...config.names };
    const innerDim = numHeads * headDim;
    const linear = (inFeatures: number, outFeatures: number, bias: boolean, weightInitializer = config.weightInitializer) =>
      new Linear({ inFeatures, outFeatures, bias, random, weightInitializer, biasInitializer: config.biasInitializer });
    if (projection === 'fused-qkv') {
      this.fusedQueryKeyValue = this.registerModule(names.fusedQueryKeyValue, linear(dim, 3 * innerDim, qkvBias));
    } else {
      this.query = this.registerModule(names.query, linear(dim, innerDim, qkvBias));
      if (projection === 'separate') {
        this.key = this.registerModule(names.key, linear(contextDim, innerDim, qkvBias));
        this.value = this.registerModule(names.value, linear(contextDim, innerDim, qkvBias));
      } else {
        this.fusedKeyValue = this.registerModule(names.fusedKeyValue, linear(contextDim, 2 * innerDim, qkvBias));
      }
    }
    if (qkNorm !== 'none') {
      const norm = () =>
        qkNorm === 'layer-norm'
          ? new LayerNorm({ normalizedShape: headDim, epsilon: qkNormEpsilon })
          : new RMSNorm({ dim: headDim, epsilon: qkNormEpsilon });
      this.queryNorm = this.registerModule(names.queryNorm, norm());
      this.keyNorm = this.registerModule(names.keyNorm, norm());
    }
    this.output = this.registerModule(
      names.output,
      linear(innerDim, dim, outputBias, config.outputWeightInitializer ?? config.weightInitializer),
    );
  }

  /**
   * Attention without a cache.
   *
   * @param input - float32 `[batch, queries, dim]`.
   * @param options - `context` for cross-attention; masks (`mask` `[queries, keys]`/`[batch, queries, keys]`,
   *   `causal`, `keyPaddingMask` `[batch, keys]`); `rotary`/`keyRotary`.
   * @returns float32 `[batch, queries, dim]`; the caller owns it.
   */
  forward(input: tf.Tensor, options: AttentionCallOptions = {}): tf.Tensor3D {
    return tf.tidy(() => this.#attend(input, options.context ?? null, options, null).output);
  }

  /**
   * Self-attention that appends the new keys/values to `cache` (incremental decoding). Feeding a sequence in pieces
   * with `causal: true` and the matching `rotary` positions gives the same outputs as one causal {@link forward} over
   * the whole sequence.
   *
   * @param input - float32 `[batch, newTokens, dim]`.
   * @param options - `cache` from the previous call (or none at the start); masks over `[newTokens, past + newTokens]`.
   * @returns the output float32 `[batch, newTokens, dim]` and the extended cache `[batch, heads, past + newTokens,
   *   headDim]`. The caller owns all returned tensors; the input cache is left alive (dispose it when done).
   */
  forwardWithCache(
    input: tf.Tensor,
    options: AttentionForwardOptions & { cache?: KeyValueCache | null } = {},
  ): { output: tf.Tensor3D; cache: KeyValueCache } {
    const result = tf.tidy(() => {
      const attended = this.#attend(input, null, options, options.cache ?? null);
      return { output: attended.output, key: attended.key, value: attended.value };
    });
    return { output: result.output, cache: { key: result.key, value: result.value } };
  }

  #attend(
    input: tf.Tensor,
    context: tf.Tensor | null,
    options: AttentionForwardOptions,
    cache: KeyValueCache | null,
  ): { output: tf.Tensor3D; key: tf.Tensor4D; value: tf.Tensor4D } {
    if (input.rank !== 3 || input.shape[2] !== this.dim) {
      throw new ShapeMismatchError({ tensorName: 'input', expected: [null, null, this.dim], actual: input.shape, context: 'MultiHeadAttention' });
    }
    const [batchSize, queryLength] = input.shape as [number, number, number];
    if (context) {
      if (this.projection === 'fused-qkv') {
        throw new InvalidArgumentError({ argument: 'context', message: "cross-attention needs projection 'separate' or 'query-and-fused-kv'" });
      }
      if (context.rank !== 3 || context.shape[0] !== batchSize || context.shape[2] !== this.contextDim) {
        throw new ShapeMismatchError({ tensorName: 'context', expected: [batchSize, null, this.contextDim], actual: context.shape, context: 'MultiHeadAttention' });
      }
    } else if (this.contextDim !== this.dim) {
      throw new InvalidArgumentError({ argument: 'context', message: `is required: this attention reads keys of width contextDim ${this.contextDim}` });
    }
    const keyInput = context ?? input;
    let query: tf.Tensor;
    let key: tf.Tensor;
    let value: tf.Tensor;
    if (this.fusedQueryKeyValue) {
      [query, key, value] = tf.split(this.fusedQueryKeyValue.forward(input), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    } else {
      query = (this.query as Linear).forward(input);
      if (this.fusedKeyValue) {
        [key, value] = tf.split(this.fusedKeyValue.forward(keyInput), 2, -1) as [tf.Tensor, tf.Tensor];
      } else {
        key = (this.key as Linear).forward(keyInput);
        value = (this.value as Linear).forward(keyInput);
      }
    }
    query = this.#splitHeads(query);
    key = this.#splitHeads(key);
    value = this.#splitHeads(value);
    if (this.queryNorm && this.keyNorm) {
      query = this.queryNorm.forward(query);
      key = this.keyNorm.forward(key);
    }
    if (options.rotary) query = applyRotaryEmbedding(query, options.rotary);
    const keyRotary = options.keyRotary ?? (context ? undefined : options.rotary);
    if (keyRotary) key = applyRotaryEmbedding(key, keyRotary);
    if (cache) {
      const expected = [batchSize, this.numHeads, null, this.headDim];
      for (const [name, tensor] of [['cache.key', cache.key], ['cache.value', cache.value]] as const) {
        if (tensor.rank !== 4 || tensor.shape[0] !== batchSize || tensor.shape[1] !== this.numHeads || tensor.shape[3] !== this.headDim) {
          throw new ShapeMismatchError({ tensorName: name, expected, actual: tensor.shape, context: 'MultiHeadAttention.forwardWithCache' });
        }
      }
      key = tf.concat([cache.key, key], 2);
      value = tf.concat([cache.value, value], 2);
    }
    const keyLength = key.shape[2] as number;
    const bias = attentionBias(batchSize, queryLength, keyLength, options);
    const attended = scaledDotProductAttention(query, key, value, { bias });
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batchSize, queryLength, this.numHeads * this.headDim]);
    return { output: this.output.forward(merged) as tf.Tensor3D, key: key as tf.Tensor4D, value: value as tf.Tensor4D };
  }

  /** `[batch, tokens, heads·headDim]` → `[batch, heads, tokens, headDim]`. */
  #splitHeads(tensor: tf.Tensor): tf.Tensor {
    const [batchSize, length] = tensor.shape as [number, number, number];
    return tf.transpose(tf.reshape(tensor, [batchSize, length, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }
}
