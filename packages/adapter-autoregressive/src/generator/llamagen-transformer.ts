import {
  blockCausalMask,
  disposeRotaryEmbedding,
  Embedding,
  type KeyValueCache,
  Linear,
  Mlp,
  Module,
  ModuleList,
  RMSNorm,
  rotaryEmbedding2d,
  type RotaryEmbedding,
  type SeededRandom,
  ShapeMismatchError,
  tf,
} from '@reca/runtime';
import { headDimOf, validateLlamaGenTransformerConfig, type LlamaGenTransformerConfig } from './llamagen-transformer-config.js';
import { TransformerBlock } from './transformer-block.js';

/** The generator's view of a condition: the prefix it reads. */
export interface GeneratorCondition {
  /** float32 `[batch, conditionLength, conditionWidth]`. */
  readonly embeddings: tf.Tensor3D;
  /** float32 `[batch, conditionLength]`: 1 at real positions, 0 at padding. */
  readonly mask: tf.Tensor2D;
}

/** Key/value caches of every layer during incremental decoding; the holder owns the tensors. */
export interface GeneratorCache {
  readonly layers: readonly KeyValueCache[];
  /** float32 `[batch, positions so far]`: which cached keys are real (the condition's padding is not). */
  readonly keyMask: tf.Tensor2D;
  /** Number of positions cached. */
  readonly length: number;
}

/** Disposes every tensor of a {@link GeneratorCache}. */
export function disposeGeneratorCache(cache: GeneratorCache): void {
  tf.dispose([cache.keyMask, ...cache.layers.flatMap((layer) => [layer.key, layer.value])]);
}

/**
 * LlamaGen's decoder-only transformer (`Transformer` in `autoregressive/models/gpt.py`, text-conditional `t2i`
 * variant), reading [condition prefix, image tokens]:
 *
 * - `cls_embedding.cap_proj.fc1/fc2` — LlamaGen's `CaptionEmbedder` MLP (bias-free, GELU-tanh) projecting the
 *   condition (from the understanding stack's condition encoder) to `dim`; its output is the prefix.
 * - `tok_embeddings.weight` `[codebookSize (+1 for [MASK] in masked mode), dim]`.
 * - `layers.N.*` ({@link TransformerBlock}: `attention.wqkv`, `attention.wo`, `feed_forward.w1/w2/w3`,
 *   `attention_norm`, `ffn_norm`), `norm.weight` (RMSNorm), `output.weight` `[codebookSize, dim]` (zero-initialised,
 *   as LlamaGen does).
 * - 2-D RoPE over the image grid (LlamaGen's `precompute_freqs_cis_2d`, interleaved pairs: half rows, half columns);
 *   condition positions get angle 0. The token at sequence position `C + i` is image token `i` at grid cell `i`.
 *
 * Attention is causal over the whole sequence in `'next-token'` mode; in `'masked'` mode it is causal over the
 * condition and bidirectional inside the image block (Show-o's mask, `blockCausalMask`). Padding in the condition is
 * never attended.
 */
export class LlamaGenTransformer extends Module {
  readonly config: LlamaGenTransformerConfig;
  readonly conditionProjection: Mlp;
  readonly tokenEmbeddings: Embedding;
  readonly layers: ModuleList<TransformerBlock>;
  readonly norm: RMSNorm;
  readonly output: Linear;
  /** Number of image tokens per image (`gridSize²`). */
  readonly imageTokens: number;
  /** Id of the `[MASK]` token in masked mode (`codebookSize`), `-1` in next-token mode. */
  readonly maskTokenId: number;

  constructor(config: LlamaGenTransformerConfig, random: SeededRandom) {
    super();
    validateLlamaGenTransformerConfig(config);
    this.config = { ...config };
    this.imageTokens = config.gridSize * config.gridSize;
    this.maskTokenId = config.mode === 'masked' ? config.codebookSize : -1;
    const initializer = { kind: 'normal', standardDeviation: config.initializerRange } as const;
    const clsEmbedding = this.registerModule('cls_embedding', new Module());
    this.conditionProjection = clsEmbedding.registerModule(
      'cap_proj',
      new Mlp({ inFeatures: config.conditionWidth, hiddenFeatures: config.dim, outFeatures: config.dim, bias: false, activation: 'gelu-tanh', weightInitializer: initializer, random }),
    );
    const vocabulary = config.codebookSize + (config.mode === 'masked' ? 1 : 0);
    this.tokenEmbeddings = this.registerModule('tok_embeddings', new Embedding({ numEmbeddings: vocabulary, embeddingDim: config.dim, initializer, random }));
    this.layers = this.registerModule('layers', new ModuleList(Array.from({ length: config.numLayers }, () => new TransformerBlock(config, random))));
    this.norm = this.registerModule('norm', new RMSNorm({ dim: config.dim, epsilon: config.normEpsilon }));
    this.output = this.registerModule('output', new Linear({ inFeatures: config.dim, outFeatures: config.codebookSize, bias: false, weightInitializer: { kind: 'zeros' }, random }));
  }

  /**
   * The prefix the transformer reads: `cls_embedding.cap_proj(condition)`.
   *
   * @returns float32 `[batch, conditionLength, dim]`; the caller owns it.
   */
  embedCondition(condition: GeneratorCondition): tf.Tensor3D {
    const { embeddings, mask } = condition;
    if (embeddings.rank !== 3 || embeddings.shape[2] !== this.config.conditionWidth) {
      throw new ShapeMismatchError({ tensorName: 'condition.embeddings', expected: [null, null, this.config.conditionWidth], actual: embeddings.shape, context: 'LlamaGenTransformer' });
    }
    if (mask.rank !== 2 || mask.shape[0] !== embeddings.shape[0] || mask.shape[1] !== embeddings.shape[1]) {
      throw new ShapeMismatchError({ tensorName: 'condition.mask', expected: embeddings.shape.slice(0, 2), actual: mask.shape, context: 'LlamaGenTransformer' });
    }
    return tf.tidy(() => this.conditionProjection.forward(embeddings) as tf.Tensor3D);
  }

  /**
   * RoPE rows for sequence positions `[start, start + count)` of a sequence with a `prefixLength`-token condition.
   * The caller owns the result (dispose with `disposeRotaryEmbedding`).
   */
  rotaryRows(prefixLength: number, start: number, count: number): RotaryEmbedding {
    const { gridSize, ropeBase } = this.config;
    const table = rotaryEmbedding2d(gridSize, gridSize, headDimOf(this.config), { base: ropeBase, prefixLength });
    if (start === 0 && count === table.cos.shape[0]) return table;
    const headDim = headDimOf(this.config);
    const rows = { cos: tf.slice(table.cos, [start, 0], [count, headDim]), sin: tf.slice(table.sin, [start, 0], [count, headDim]), layout: table.layout };
    disposeRotaryEmbedding(table);
    return rows;
  }

  /**
   * Logits of the image tokens, teacher-forced (training, and uncached sampling).
   *
   * - `'next-token'`: `tokenIds` are the first `T ≤ gridSize²` image tokens (raster order); the input is
   *   [prefix, tokens 0…T−2] and the result holds the predictions of tokens 0…T−1 (`T` rows).
   * - `'masked'`: `tokenIds` are all `gridSize²` tokens with `[MASK]` (`maskTokenId`) where hidden; the result holds
   *   the prediction at every image position.
   *
   * @param condition - the condition (prefix) of each sample.
   * @param tokenIds - int32 `[batch, T]`.
   * @returns float32 `[batch, T, codebookSize]`; the caller owns it.
   */
  imageLogits(condition: GeneratorCondition, tokenIds: tf.Tensor2D): tf.Tensor3D {
    const [batchSize, count] = tokenIds.shape;
    const masked = this.config.mode === 'masked';
    if (tokenIds.rank !== 2 || tokenIds.dtype !== 'int32' || batchSize !== condition.embeddings.shape[0] || count < 1 || count > this.imageTokens || (masked && count !== this.imageTokens)) {
      throw new ShapeMismatchError({
        tensorName: 'tokenIds',
        expected: [condition.embeddings.shape[0], masked ? this.imageTokens : null],
        actual: tokenIds.shape,
        context: `LlamaGenTransformer.imageLogits (int32, 1…${this.imageTokens} tokens${masked ? ', all of them in masked mode' : ''})`,
      });
    }
    return tf.tidy(() => {
      const prefix = this.embedCondition(condition);
      const prefixLength = prefix.shape[1];
      const inputIds = masked ? tokenIds : tf.slice(tokenIds, [0, 0], [batchSize, count - 1]);
      const inputCount = inputIds.shape[1];
      const sequence = inputCount > 0 ? tf.concat([prefix, this.tokenEmbeddings.forward(inputIds) as tf.Tensor3D], 1) : prefix; // [b, C + T', dim]
      const length = prefixLength + inputCount;
      const rotary = this.rotaryRows(prefixLength, 0, length);
      const keyPaddingMask = tf.concat([condition.mask, tf.ones([batchSize, inputCount])], 1);
      const attentionMask = masked ? blockCausalMask([...new Array<number>(prefixLength).fill(1), inputCount]) : undefined;
      let hidden: tf.Tensor3D = sequence as tf.Tensor3D;
      for (const layer of this.layers) {
        hidden = layer.forward(hidden, { rotary, keyPaddingMask, ...(attentionMask ? { mask: attentionMask } : { causal: true }) });
      }
      const first = masked ? prefixLength : prefixLength - 1;
      const selected = tf.slice(hidden, [0, first, 0], [batchSize, count, this.config.dim]);
      disposeRotaryEmbedding(rotary);
      return this.output.forward(this.norm.forward(selected)) as tf.Tensor3D;
    });
  }

  /**
   * Incremental decoding (next-token mode): runs `input` (embeddings of the new positions) through every layer with
   * the key/value caches and returns the logits of the last new position.
   *
   * @param input - float32 `[batch, newTokens, dim]`: the prefix at the start, then one token embedding per step.
   * @param newKeyMask - float32 `[batch, newTokens]`: 1 where the new positions are real.
   * @param prefixLength - length of the condition prefix (for RoPE).
   * @param cache - the cache so far, or `null` at the start; left alive (the caller disposes it).
   * @returns `logits` float32 `[batch, codebookSize]` and the extended cache; the caller owns both.
   */
  decodeStep(input: tf.Tensor3D, newKeyMask: tf.Tensor2D, prefixLength: number, cache: GeneratorCache | null): { logits: tf.Tensor2D; cache: GeneratorCache } {
    const [batchSize, newTokens] = input.shape;
    const start = cache?.length ?? 0;
    const rotary = this.rotaryRows(prefixLength, start, newTokens);
    const keyMask = cache ? tf.concat([cache.keyMask, newKeyMask], 1) : newKeyMask.clone();
    const layers: KeyValueCache[] = [];
    let hidden = input;
    for (const [index, layer] of [...this.layers].entries()) {
      const step = layer.forwardWithCache(hidden, { rotary, causal: true, keyPaddingMask: keyMask, cache: cache?.layers[index] ?? null });
      if (hidden !== input) hidden.dispose();
      hidden = step.output;
      layers.push(step.cache);
    }
    const logits = tf.tidy(() => {
      const last = tf.slice(hidden, [0, newTokens - 1, 0], [batchSize, 1, this.config.dim]);
      return tf.reshape(this.output.forward(this.norm.forward(last)), [batchSize, this.config.codebookSize]) as tf.Tensor2D;
    });
    if (hidden !== input) hidden.dispose();
    disposeRotaryEmbedding(rotary);
    return { logits, cache: { layers, keyMask, length: start + newTokens } };
  }
}
