import type { EncodeBatchOptions } from './encode-batch-options.js';
import type { TokenizedBatch } from './tokenized-batch.js';

/**
 * What to do with a word that is not in the vocabulary.
 * - `'unk'`: map it to the unknown token (an error if the tokenizer has none).
 * - `'error'`: throw an `UnknownWordsError` naming the unknown words and the text.
 */
export type OnUnknownWord = 'unk' | 'error';

/** Options of {@link TextTokenizer.encode}. */
export interface TextTokenizerEncodeOptions {
  /**
   * Add the tokenizer's special tokens around the text (`<bos> … <eos>` for the word-level tokenizer; whatever the
   * post-processor of a Hugging Face tokenizer adds).
   * @default true
   */
  addSpecialTokens?: boolean;
  /**
   * What to do with words that are not in the vocabulary.
   * @default the tokenizer's own setting (`'unk'` unless it was built with `onUnknown: 'error'`)
   */
  onUnknown?: OnUnknownWord;
}

/** Options of {@link TextTokenizer.decode}. */
export interface TextTokenizerDecodeOptions {
  /**
   * Leave special tokens (padding, begin, end, unknown and any extra special tokens) out of the text.
   * @default true
   */
  skipSpecialTokens?: boolean;
}

/**
 * A text tokenizer: turns text into integer token ids and back, and prepares padded batches for a model.
 *
 * Versioned like the rest of the spec; implementations: `WordLevelTokenizer` (built-in data) and
 * `HuggingFaceTokenizer` (a Hugging Face `tokenizer.json`).
 */
export interface TextTokenizer {
  readonly specificationVersion: 'v1';
  /** Short name of the implementation, e.g. `'word-level'` or `'hugging-face'`. */
  readonly tokenizerType: string;
  /** Number of rows an embedding table needs: the largest token id plus one. */
  readonly vocabularySize: number;
  /** Id of the padding token, if the tokenizer has one. */
  readonly padTokenId: number | undefined;
  /** Id of the begin-of-sequence token, if the tokenizer has one. */
  readonly beginTokenId: number | undefined;
  /** Id of the end-of-sequence token, if the tokenizer has one. */
  readonly endTokenId: number | undefined;
  /** Id of the unknown-word token, if the tokenizer has one. */
  readonly unknownTokenId: number | undefined;

  /** Token ids of one text. */
  encode(text: string, options?: TextTokenizerEncodeOptions): number[];

  /**
   * Text of a sequence of token ids.
   * @param ids - integer token ids in `[0, vocabularySize)`; an `Int32Array` row of a batch works too.
   */
  decode(ids: ArrayLike<number>, options?: TextTokenizerDecodeOptions): string;

  /**
   * Encodes several texts into one padded, row-major int32 batch with an attention mask, ready for
   * `tf.tensor2d(batch.ids, batch.shape, 'int32')` (or `tokenizedBatchToTensors(batch)`).
   */
  encodeBatch(texts: readonly string[], options?: EncodeBatchOptions): TokenizedBatch;

  /** Id of a token string (e.g. `'<image>'`), or `undefined` when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined;

  /** Token string of an id, or `undefined` when the id is not in the vocabulary. */
  idToToken(id: number): string | undefined;
}
