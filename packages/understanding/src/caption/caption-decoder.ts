import type { TextTokenizer, TokenizedBatch } from '@reca/core';
import {
  blockCausalMask,
  crossEntropyWithIgnoreIndex,
  InvalidArgumentError,
  type KeyValueCache,
  Linear,
  type SeededRandom,
  tf,
} from '@reca/runtime';
import { assertPositiveInteger, assertShape } from '../checks.js';
import { withDefaults } from '../with-defaults.js';
import { disposeCaches, TextTransformer } from '../text/text-transformer.js';
import type { CaptionDecoderConfig } from './caption-decoder-config.js';

/** Label value of positions left out of the caption loss. */
const ignoreIndex = -100;

/** Options of {@link CaptionDecoder.generate}. */
export interface CaptionGenerationOptions {
  /** Most tokens to generate per caption (the end token included). */
  maxLength: number;
  /** Reuse keys/values of earlier positions (same result, fewer operations). @default true */
  useCache?: boolean;
}

/**
 * The image-to-text (I2T) head: a small causal LLaMA-style transformer that reads
 * `[understanding tokens (prefix), caption tokens]` and predicts the caption tokens. Attention is bidirectional
 * inside the prefix and causal over the caption (`blockCausalMask([prefix, 1, 1, …])`); rotary positions run over the
 * whole sequence. Its loss is RecA's I2T loss for shared-weight models, and its greedy captions measure
 * understanding accuracy.
 *
 * Captions are encoded with the tokenizer's special tokens (`<bos> words <eos>` for the word-level tokenizer); the
 * model predicts every caption token except a leading begin token, the end token included.
 *
 * Parameters (HF LLaMA names): `embed_tokens.weight` `[vocab, width]`, `layers.N.*` (see `TextTransformerLayer`),
 * `norm.weight`, then `understanding_proj.weight|bias` `[width, understandingWidth]` (only when the widths differ),
 * `lm_head.weight` `[vocab, width]` (no bias). Initialisation: normal(0, `initializerRange`).
 */
export class CaptionDecoder extends TextTransformer {
  readonly config: Required<CaptionDecoderConfig>;
  readonly tokenizer: TextTokenizer;
  readonly understandingProjection: Linear | null;
  readonly languageModelHead: Linear;

  /**
   * @param config - see {@link CaptionDecoderConfig}.
   * @param tokenizer - encodes captions; its vocabulary size sizes `embed_tokens` and `lm_head`.
   * @param random - stream of the initial weights.
   */
  constructor(config: CaptionDecoderConfig, tokenizer: TextTokenizer, random: SeededRandom) {
    super(config, tokenizer.vocabularySize, random);
    const { understandingWidth, maxCaptionLength } = withDefaults({ understandingWidth: config.width, maxCaptionLength: 32 }, config);
    this.config = { ...this.dimensions, understandingWidth, maxCaptionLength };
    assertPositiveInteger(this.config.understandingWidth, 'config.understandingWidth');
    assertPositiveInteger(this.config.maxCaptionLength, 'config.maxCaptionLength');
    this.tokenizer = tokenizer;
    const linearInitializers = { weightInitializer: this.weightInitializer, biasInitializer: { kind: 'zeros' } as const };
    this.understandingProjection =
      this.config.understandingWidth === config.width
        ? null
        : this.registerModule(
            'understanding_proj',
            new Linear({ inFeatures: this.config.understandingWidth, outFeatures: config.width, random, ...linearInitializers }),
          );
    this.languageModelHead = this.registerModule(
      'lm_head',
      new Linear({ inFeatures: config.width, outFeatures: tokenizer.vocabularySize, bias: false, random, ...linearInitializers }),
    );
  }

  /**
   * Tokenizes captions the way {@link loss} does: special tokens added, right padding to the longest caption, cut at
   * `maxCaptionLength`.
   */
  tokenizeCaptions(captions: readonly string[]): TokenizedBatch {
    return this.tokenizer.encodeBatch(captions, {
      maxLength: this.config.maxCaptionLength,
      padTo: 'longest',
      truncation: true,
      padding: 'right',
      addSpecialTokens: true,
    });
  }

  /**
   * Teacher-forced next-token logits: `logits[:, i]` predicts `captionIds[:, i]` from the prefix and
   * `captionIds[:, < i]`.
   *
   * @param understandingTokens - float32 `[batch, prefixTokens, understandingWidth]`.
   * @param captionIds - int32 `[batch, captionTokens]` (right-padded; padding never influences real positions).
   * @returns float32 `[batch, captionTokens, vocab]`; the caller owns it.
   */
  logits(understandingTokens: tf.Tensor3D, captionIds: tf.Tensor2D): tf.Tensor3D {
    const [batchSize, prefixLength] = this.#checkPrefix(understandingTokens, 'CaptionDecoder.logits');
    assertShape(captionIds, [batchSize, null], 'CaptionDecoder.logits', 'captionIds');
    const captionLength = captionIds.shape[1];
    assertPositiveInteger(captionLength, 'captionIds.shape[1]');
    return tf.tidy(() => {
      const sequence = tf.concat([this.#projectPrefix(understandingTokens), this.embedTokens.forward(captionIds)], 1) as tf.Tensor3D;
      const total = prefixLength + captionLength;
      const mask = blockCausalMask([prefixLength, ...new Array<number>(captionLength).fill(1)]);
      const hidden = this.runLayers(sequence, { mask, positions: range(0, total) });
      // The output at position j predicts the token at j + 1: positions prefix−1 … total−2.
      const predicting = tf.slice(hidden, [0, prefixLength - 1, 0], [batchSize, captionLength, this.width]);
      return this.languageModelHead.forward(predicting) as tf.Tensor3D;
    });
  }

  /**
   * The I2T loss: mean cross-entropy over the real caption tokens (padding and a leading begin token left out).
   *
   * @param understandingTokens - float32 `[batch, prefixTokens, understandingWidth]`.
   * @param captions - one caption per sample.
   * @returns float32 scalar (mean over predicted tokens); the caller owns it.
   */
  loss(understandingTokens: tf.Tensor3D, captions: readonly string[]): tf.Scalar {
    const [batchSize] = this.#checkPrefix(understandingTokens, 'CaptionDecoder.loss');
    if (captions.length !== batchSize) {
      throw new InvalidArgumentError({ argument: 'captions', message: `must have one caption per image (${batchSize}), got ${captions.length}` });
    }
    const batch = this.tokenizeCaptions(captions);
    const labels = new Int32Array(batch.ids.length);
    const [, length] = batch.shape;
    batch.ids.forEach((id, index) => {
      const leadingBegin = index % length === 0 && id === this.tokenizer.beginTokenId;
      labels[index] = batch.attentionMask[index] === 1 && !leadingBegin ? id : ignoreIndex;
    });
    return tf.tidy(() => {
      const logits = this.logits(understandingTokens, tf.tensor2d(batch.ids, batch.shape, 'int32'));
      return crossEntropyWithIgnoreIndex(logits, tf.tensor2d(labels, batch.shape, 'int32'), { ignoreIndex }) as tf.Scalar;
    });
  }

  /**
   * Greedy decoding: starts from the begin token (when the tokenizer has one) and appends the most likely token
   * until the end token or `maxLength` tokens. Reads token ids back from the device each step (an evaluation tool,
   * not for training loops). Creates no lasting tensors.
   *
   * @param understandingTokens - float32 `[batch, prefixTokens, understandingWidth]`.
   * @returns generated token ids per sample, without the begin and end tokens.
   */
  generate(understandingTokens: tf.Tensor3D, options: CaptionGenerationOptions): number[][] {
    const { maxLength, useCache = true } = options;
    assertPositiveInteger(maxLength, 'maxLength');
    const [batchSize, prefixLength] = this.#checkPrefix(understandingTokens, 'CaptionDecoder.generate');
    const begin = this.tokenizer.beginTokenId;
    const end = this.tokenizer.endTokenId;
    const started: number[] = begin === undefined ? [] : [begin];
    const generated: number[][] = Array.from({ length: batchSize }, () => []);
    const prefix = tf.tidy(() => this.#projectPrefix(understandingTokens));
    let caches: KeyValueCache[] | null = null;
    try {
      for (let step = 0; step < maxLength; step++) {
        // The caption so far: the begin token (if any) and what was generated.
        const rows = generated.map((row) => [...started, ...row]);
        let next: Int32Array;
        if (useCache) {
          const result = tf.tidy(() => {
            let input: tf.Tensor3D;
            let mask: tf.Tensor2D | undefined;
            let firstPosition: number;
            if (step === 0) {
              // Prefill: the prefix (bidirectional) and the begin token.
              input = prefix;
              if (started.length > 0) {
                const ids = tf.tensor2d(Int32Array.from(rows.flat()), [batchSize, started.length], 'int32');
                input = tf.concat([prefix, this.embedTokens.forward(ids)], 1) as tf.Tensor3D;
                mask = blockCausalMask([prefixLength, ...started.map(() => 1)]);
              }
              firstPosition = 0;
            } else {
              // One new token per row; it may attend to every cached position.
              const ids = tf.tensor2d(Int32Array.from(rows.map((row) => row[row.length - 1] as number)), [batchSize, 1], 'int32');
              input = this.embedTokens.forward(ids) as tf.Tensor3D;
              firstPosition = prefixLength + started.length + step - 1;
            }
            const newLength = input.shape[1];
            const run = this.runLayersWithCache(input, caches, { mask, positions: range(firstPosition, firstPosition + newLength) });
            const last = tf.slice(run.output, [0, newLength - 1, 0], [batchSize, 1, this.width]);
            const tokens = tf.argMax(this.languageModelHead.forward(last), -1);
            return { tokens, keys: run.caches.map((cache) => cache.key), values: run.caches.map((cache) => cache.value) };
          });
          disposeCaches(caches);
          caches = result.keys.map((key, index) => ({ key, value: result.values[index] as tf.Tensor4D }));
          next = result.tokens.dataSync() as Int32Array;
          result.tokens.dispose();
        } else {
          next = tf.tidy(() => {
            const length = rows[0]?.length ?? 0;
            let sequence: tf.Tensor3D = prefix;
            let mask: tf.Tensor2D | undefined;
            if (length > 0) {
              const ids = tf.tensor2d(Int32Array.from(rows.flat()), [batchSize, length], 'int32');
              sequence = tf.concat([prefix, this.embedTokens.forward(ids)], 1) as tf.Tensor3D;
              mask = blockCausalMask([prefixLength, ...new Array<number>(length).fill(1)]);
            }
            const total = prefixLength + length;
            const hidden = this.runLayers(sequence, { mask, positions: range(0, total) });
            const last = tf.slice(hidden, [0, total - 1, 0], [batchSize, 1, this.width]);
            return tf.argMax(this.languageModelHead.forward(last), -1).dataSync() as Int32Array;
          });
        }
        next.forEach((token, row) => (generated[row] as number[]).push(token));
        if (end !== undefined && generated.every((row) => row.includes(end))) break;
      }
    } finally {
      disposeCaches(caches);
      prefix.dispose();
    }
    return generated.map((row) => {
      const stop = end === undefined ? -1 : row.indexOf(end);
      return stop < 0 ? row : row.slice(0, stop);
    });
  }

  /** Checks `[batch, tokens, understandingWidth]` and returns `[batch, tokens]`. */
  #checkPrefix(understandingTokens: tf.Tensor, context: string): [number, number] {
    assertShape(understandingTokens, [null, null, this.config.understandingWidth], context, 'understandingTokens');
    const [batchSize, prefixLength] = understandingTokens.shape as [number, number, number];
    assertPositiveInteger(batchSize, 'understandingTokens.shape[0]');
    assertPositiveInteger(prefixLength, 'understandingTokens.shape[1]');
    return [batchSize, prefixLength];
  }

  #projectPrefix(understandingTokens: tf.Tensor3D): tf.Tensor3D {
    return this.understandingProjection ? (this.understandingProjection.forward(understandingTokens) as tf.Tensor3D) : understandingTokens.clone();
  }
}

/** `[start, start + 1, …, end − 1]`. */
function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, index) => start + index);
}
