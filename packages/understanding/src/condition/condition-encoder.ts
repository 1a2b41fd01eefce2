import type { TextTokenizer, TokenizedBatch, UnifiedModelV1BuildConditionOptions, UnifiedModelV1Condition } from '@reca/core';
import { initializeParameter, InvalidArgumentError, Linear, type SeededRandom, tf } from '@reca/runtime';
import { assertFlagCount, assertPositiveInteger, assertShape } from '../checks.js';
import { withDefaults } from '../with-defaults.js';
import { TextTransformer } from '../text/text-transformer.js';
import { conditionAttentionMask } from './condition-attention-mask.js';
import type { ConditionEncoderConfig, ConditionLayout } from './condition-encoder-config.js';

/** Inputs of {@link ConditionEncoder.forward}, with the text already tokenized. */
export interface ConditionEncoderForwardInput {
  /** int32 `[batch, textTokens]` token ids, left-padded. */
  textIds: tf.Tensor2D;
  /** int32/float32/bool `[batch, textTokens]`, 1 at real tokens, 0 at padding. */
  textMask: tf.Tensor2D;
  /** float32 `[batch, understandingTokens, understandingWidth]`, or undefined for a text-only condition. */
  understandingEmbeddings?: tf.Tensor3D;
  /** Per-sample flags: mask the understanding tokens out (nobody reads them; zero in a prefix condition). */
  dropUnderstanding?: readonly boolean[];
}

/**
 * The text side: turns a prompt, or for RecA an instruction plus understanding embeddings, into the condition
 * sequence the generator reads. One module and one set of learned queries serve text prompts and RecA conditions, so
 * both are the same kind of thing (DESIGN.md §2).
 *
 * The sequence is `[text (left-padded), understanding tokens (projected to width), queries (bottleneck only)]`, read
 * by LLaMA-style layers with rotary positions `0 … length−1`. Left padding keeps the relative positions of real
 * tokens independent of how much a batch is padded, and padded or dropped tokens are masked as keys, so neither
 * changes the condition. Outputs pass the final RMSNorm; the condition width is `config.width`.
 *
 * Parameters (HF LLaMA names): `embed_tokens.weight` `[vocab, width]`, `layers.N.*`, `norm.weight`, then
 * `understanding_proj.weight|bias` `[width, understandingWidth]` (when the widths differ) and `meta_queries`
 * `[numQueries, width]` (bottleneck; OpenUni/MetaQuery's name). Initialisation: normal(0, `initializerRange`).
 */
export class ConditionEncoder extends TextTransformer {
  readonly config: Required<ConditionEncoderConfig>;
  readonly tokenizer: TextTokenizer;
  readonly understandingProjection: Linear | null;
  readonly queries: tf.Variable | null;

  /**
   * @param config - see {@link ConditionEncoderConfig}.
   * @param tokenizer - encodes prompts and instructions; needs a pad token.
   * @param random - stream of the initial weights.
   */
  constructor(config: ConditionEncoderConfig, tokenizer: TextTokenizer, random: SeededRandom) {
    super(config, tokenizer.vocabularySize, random);
    const { layout, numQueries, understandingWidth, maxTextLength, padTextTo, contextAttention, nullPrompt } = withDefaults(
      {
        layout: 'query-bottleneck' as ConditionLayout,
        numQueries: 16,
        understandingWidth: config.width,
        maxTextLength: 32,
        padTextTo: 'longest' as 'longest' | 'max-length',
        contextAttention: 'bidirectional' as 'bidirectional' | 'causal',
        nullPrompt: 'Generate an image.',
      },
      config,
    );
    this.config = { ...this.dimensions, layout, numQueries, understandingWidth, maxTextLength, padTextTo, contextAttention, nullPrompt };
    if (layout !== 'prefix' && layout !== 'query-bottleneck') {
      throw new InvalidArgumentError({ argument: 'config.layout', message: `must be 'prefix' or 'query-bottleneck', got '${String(layout)}'` });
    }
    if (padTextTo !== 'longest' && padTextTo !== 'max-length') {
      throw new InvalidArgumentError({ argument: 'config.padTextTo', message: `must be 'longest' or 'max-length', got '${String(padTextTo)}'` });
    }
    if (contextAttention !== 'bidirectional' && contextAttention !== 'causal') {
      throw new InvalidArgumentError({ argument: 'config.contextAttention', message: `must be 'bidirectional' or 'causal', got '${String(contextAttention)}'` });
    }
    assertPositiveInteger(numQueries, 'config.numQueries');
    assertPositiveInteger(understandingWidth, 'config.understandingWidth');
    assertPositiveInteger(maxTextLength, 'config.maxTextLength');
    if (tokenizer.padTokenId === undefined) {
      throw new InvalidArgumentError({ argument: 'tokenizer', message: 'needs a pad token (texts of a batch are padded)' });
    }
    this.tokenizer = tokenizer;
    this.understandingProjection =
      understandingWidth === config.width
        ? null
        : this.registerModule(
            'understanding_proj',
            new Linear({
              inFeatures: understandingWidth,
              outFeatures: config.width,
              random,
              weightInitializer: this.weightInitializer,
              biasInitializer: { kind: 'zeros' },
            }),
          );
    this.queries = layout === 'query-bottleneck' ? this.registerParameter('meta_queries', initializeParameter([numQueries, config.width], this.weightInitializer, random)) : null;
  }

  /** The configured layout. */
  get layout(): ConditionLayout {
    return this.config.layout;
  }

  /**
   * Condition length for a batch: `numQueries` with the bottleneck, else `textTokens + understandingTokens`.
   *
   * @param textTokens - padded text length of the batch.
   * @param understandingTokens - understanding tokens per sample (0 for a text prompt).
   */
  conditionLength(textTokens: number, understandingTokens: number): number {
    return this.config.layout === 'query-bottleneck' ? this.config.numQueries : textTokens + understandingTokens;
  }

  /**
   * Tokenizes texts as {@link encode} does: `''` becomes the null prompt, special tokens added, left padding, cut at
   * `maxTextLength`.
   *
   * @param texts - one text per sample.
   * @param dropText - per-sample flags: replace the text with the null prompt.
   */
  tokenizeTexts(texts: readonly string[], dropText?: readonly boolean[]): TokenizedBatch {
    assertFlagCount(dropText, texts.length, 'dropText');
    const effective = texts.map((text, index) => (dropText?.[index] || text === '' ? this.config.nullPrompt : text));
    return this.tokenizer.encodeBatch(effective, {
      maxLength: this.config.maxTextLength,
      padTo: this.config.padTextTo,
      truncation: true,
      padding: 'left',
      addSpecialTokens: true,
    });
  }

  /**
   * Builds the condition for a batch — what an adapter's `doBuildCondition` returns.
   *
   * @param options - `texts` (one per sample; `''` = null prompt), optional `understandingEmbeddings` float32
   *   `[batch, tokens, understandingWidth]` (their gradient policy already applied), `dropText` (text → null prompt),
   *   `dropUnderstanding` (understanding tokens masked out). `training` has no effect (no dropout layers).
   * @returns the condition: `embeddings` float32 `[batch, length, width]`, `mask` float32 `[batch, length]`, `layout`;
   *   the caller owns its tensors (`disposeCondition`).
   */
  encode(options: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition {
    const { texts, understandingEmbeddings, dropText, dropUnderstanding } = options;
    if (texts.length === 0) throw new InvalidArgumentError({ argument: 'texts', message: 'must hold at least one text' });
    const batch = this.tokenizeTexts(texts, dropText);
    const textIds = tf.tensor2d(batch.ids, batch.shape, 'int32');
    const textMask = tf.tensor2d(batch.attentionMask, batch.shape, 'int32');
    try {
      return this.forward({ textIds, textMask, understandingEmbeddings, dropUnderstanding });
    } finally {
      tf.dispose([textIds, textMask]);
    }
  }

  /**
   * The condition from already tokenized (left-padded) text.
   *
   * @returns see {@link encode}; the caller owns the tensors.
   */
  forward(input: ConditionEncoderForwardInput): UnifiedModelV1Condition {
    const { textIds, textMask, understandingEmbeddings, dropUnderstanding } = input;
    assertShape(textIds, [null, null], 'ConditionEncoder.forward', 'textIds');
    const [batchSize, textLength] = textIds.shape;
    assertPositiveInteger(batchSize, 'textIds.shape[0]');
    assertPositiveInteger(textLength, 'textIds.shape[1]');
    assertShape(textMask, [batchSize, textLength], 'ConditionEncoder.forward', 'textMask');
    if (understandingEmbeddings) {
      assertShape(understandingEmbeddings, [batchSize, null, this.config.understandingWidth], 'ConditionEncoder.forward', 'understandingEmbeddings');
    }
    assertFlagCount(dropUnderstanding, batchSize, 'dropUnderstanding');
    const understandingLength = understandingEmbeddings?.shape[1] ?? 0;
    const queryCount = this.queries ? this.config.numQueries : 0;
    const contextLength = textLength + understandingLength;
    const total = contextLength + queryCount;
    return tf.tidy(() => {
      const parts: tf.Tensor[] = [this.embedTokens.forward(textIds)]; // [b, Lt, width]
      const validity: tf.Tensor[] = [tf.cast(textMask, 'float32')]; // [b, Lt]
      if (understandingEmbeddings && understandingLength > 0) {
        parts.push(this.understandingProjection ? this.understandingProjection.forward(understandingEmbeddings) : understandingEmbeddings);
        const keep = Float32Array.from({ length: batchSize }, (_, index) => (dropUnderstanding?.[index] ? 0 : 1));
        validity.push(tf.tile(tf.tensor2d(keep, [batchSize, 1]), [1, understandingLength])); // [b, T]
      }
      if (this.queries) {
        parts.push(tf.tile(tf.expandDims(this.queries, 0), [batchSize, 1, 1])); // [b, K, width]
        validity.push(tf.ones([batchSize, queryCount]));
      }
      const sequence = (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor3D; // [b, L, width]
      const keyPaddingMask = (validity.length === 1 ? validity[0] : tf.concat(validity, 1)) as tf.Tensor2D; // [b, L]
      const mask = conditionAttentionMask({ contextLength, queryCount, contextAttention: this.config.contextAttention }) ?? undefined;
      const positions = Array.from({ length: total }, (_, index) => index);
      const hidden = this.runLayers(sequence, { mask, keyPaddingMask, positions }); // [b, L, width]
      if (this.queries) {
        const embeddings = tf.slice(hidden, [0, contextLength, 0], [batchSize, queryCount, this.width]) as tf.Tensor3D;
        return { embeddings, mask: tf.ones([batchSize, queryCount]) as tf.Tensor2D, layout: 'query-bottleneck' as const };
      }
      // Prefix: every context position, zero where masked, so padding or dropped tokens cannot leak.
      const embeddings = tf.mul(hidden, tf.expandDims(keyPaddingMask, 2)) as tf.Tensor3D;
      return { embeddings, mask: keyPaddingMask, layout: 'prefix' as const };
    });
  }
}
