import type { OnUnknownWord } from './text-tokenizer.js';

/** Options of `TextTokenizer.encodeBatch` / `encodeTextBatch`. */
export interface EncodeBatchOptions {
  /**
   * Longest sequence, special tokens included. When set, every row is padded to exactly this length (a fixed shape
   * for the model) unless `padTo` is `'longest'`; a text that needs more tokens is truncated when `truncation` is
   * `true`, and is an error otherwise.
   * @default undefined (rows are padded to the longest row and never truncated)
   */
  maxLength?: number;
  /**
   * Where padding goes: `'right'` puts the tokens first (typical for encoders and training), `'left'` puts them last
   * (typical for decoder-only generation, so that every row ends at the same position).
   * @default 'right'
   */
  padding?: 'right' | 'left';
  /**
   * Pad every row to `maxLength` (`'max-length'`) or only to the longest row of this batch (`'longest'`).
   * @default 'max-length' when `maxLength` is set, else 'longest'
   */
  padTo?: 'max-length' | 'longest';
  /**
   * Cut texts longer than `maxLength`. The text's own tokens are cut at the end; the special tokens around it
   * (e.g. `<bos>` and `<eos>`) are kept, so a truncated row still ends with its end token.
   * @default false
   */
  truncation?: boolean;
  /**
   * Add the tokenizer's special tokens around each text.
   * @default true
   */
  addSpecialTokens?: boolean;
  /**
   * Id written into padded positions.
   * @default the tokenizer's `padTokenId` (an error when the tokenizer has none and padding is needed)
   */
  padTokenId?: number;
  /**
   * What to do with words that are not in the vocabulary.
   * @default the tokenizer's own setting
   */
  onUnknown?: OnUnknownWord;
}
