import { InvalidArgumentError } from '@reca/runtime';
import { z } from 'zod';
import { UnknownWordsError } from '../errors/unknown-words-error.js';
import type { EncodeBatchOptions } from './encode-batch-options.js';
import { encodeTextBatch } from './encode-text-batch.js';
import { splitWords } from './split-words.js';
import type {
  OnUnknownWord,
  TextTokenizer,
  TextTokenizerDecodeOptions,
  TextTokenizerEncodeOptions,
} from './text-tokenizer.js';
import type { TokenizedBatch } from './tokenized-batch.js';
import { type WordLevelTokenizerJson, wordLevelTokenizerJsonSchema } from './word-level-tokenizer-json.js';

/** The four special tokens every word-level tokenizer has, with ids 0 to 3 in this order. */
export const wordLevelSpecialTokens = {
  pad: '<pad>',
  begin: '<bos>',
  end: '<eos>',
  unknown: '<unk>',
} as const;

const coreSpecialTokens: readonly string[] = [
  wordLevelSpecialTokens.pad,
  wordLevelSpecialTokens.begin,
  wordLevelSpecialTokens.end,
  wordLevelSpecialTokens.unknown,
];

/** Tokens written without a space before them when decoding. */
const noSpaceBefore = new Set(['.', ',', '!', '?', ';', ':', ')', ']', '}']);
/** Tokens written without a space after them when decoding. */
const noSpaceAfter = new Set(['(', '[', '{']);

/** Configuration of a {@link WordLevelTokenizer}. */
export interface WordLevelTokenizerConfig {
  /**
   * The ordinary words, in id order (the first word gets the id right after the special tokens). Each must be one
   * token of the word-level pre-tokenizer: lowercase, a run of letters/digits/underscores or one punctuation
   * character. No duplicates.
   */
  words: readonly string[];
  /**
   * Special tokens after `<pad>`, `<bos>`, `<eos>`, `<unk>` (ids 4, 5, …), e.g. `['<image>']`. They are recognised
   * verbatim (case-sensitive) in texts and are never split.
   * @default []
   */
  extraSpecialTokens?: readonly string[];
  /**
   * What `encode` does with a word that is not in the vocabulary: map it to `<unk>`, or throw `UnknownWordsError`.
   * Each call can override it.
   * @default 'unk'
   */
  onUnknown?: OnUnknownWord;
}

/** Options of {@link WordLevelTokenizer.fromTexts}. */
export interface WordLevelTokenizerFromTextsOptions {
  /**
   * A word must occur at least this many times in the texts to enter the vocabulary.
   * @default 1
   */
  minCount?: number;
  /** @default [] — see {@link WordLevelTokenizerConfig.extraSpecialTokens} */
  extraSpecialTokens?: readonly string[];
  /** @default 'unk' — see {@link WordLevelTokenizerConfig.onUnknown} */
  onUnknown?: OnUnknownWord;
}

/** A piece of a text: a special token written verbatim, or ordinary text between special tokens. */
type TextPiece = { specialToken: string } | { plainText: string };

/**
 * A word-level tokenizer with a fixed vocabulary, for the built-in data (ShapesWorld captions, prompts and the
 * instruction pool). It lowercases, splits on whitespace and punctuation (each punctuation character is a token),
 * and maps each word to its id. Ids: `<pad>` 0, `<bos>` 1, `<eos>` 2, `<unk>` 3, extra special tokens from 4, then
 * the words.
 *
 * @example
 * const tokenizer = WordLevelTokenizer.fromTexts(captions, { extraSpecialTokens: ['<image>'] });
 * const batch = tokenizer.encodeBatch(prompts, { maxLength: 16, truncation: true });
 * const ids = tf.tensor2d(batch.ids, batch.shape, 'int32');
 */
export class WordLevelTokenizer implements TextTokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly tokenizerType = 'word-level';
  readonly padTokenId = 0;
  readonly beginTokenId = 1;
  readonly endTokenId = 2;
  readonly unknownTokenId = 3;
  /** The tokenizer's default for `encode`'s `onUnknown`. */
  readonly onUnknown: OnUnknownWord;
  /** All special tokens in id order: `<pad>`, `<bos>`, `<eos>`, `<unk>`, then the extra ones. */
  readonly specialTokens: readonly string[];
  /** The ordinary words in id order. */
  readonly words: readonly string[];

  private readonly tokens: readonly string[];
  private readonly idsByToken: ReadonlyMap<string, number>;
  private readonly specialTokenPattern: RegExp;

  constructor({ words, extraSpecialTokens = [], onUnknown = 'unk' }: WordLevelTokenizerConfig) {
    if (onUnknown !== 'unk' && onUnknown !== 'error') {
      throw new InvalidArgumentError({ argument: 'onUnknown', message: `expected 'unk' or 'error', got '${String(onUnknown)}'` });
    }
    extraSpecialTokens.forEach((token, index) => {
      if (typeof token !== 'string' || token.length === 0 || /\s/u.test(token)) {
        throw new InvalidArgumentError({
          argument: `extraSpecialTokens[${index}]`,
          message: `expected a non-empty string without whitespace, got ${JSON.stringify(token)}`,
        });
      }
    });
    const specialTokens = [...coreSpecialTokens, ...extraSpecialTokens];
    const tokens = [...specialTokens, ...words];
    const idsByToken = new Map<string, number>();
    tokens.forEach((token, id) => {
      const isWord = id >= specialTokens.length;
      const argument = isWord ? `words[${id - specialTokens.length}]` : `extraSpecialTokens[${id - coreSpecialTokens.length}]`;
      if (isWord) {
        const split = typeof token === 'string' ? splitWords(token) : [];
        if (split.length !== 1 || split[0] !== token) {
          throw new InvalidArgumentError({
            argument,
            message:
              `${JSON.stringify(token)} is not one lowercase word or punctuation character ` +
              `(the pre-tokenizer splits it into ${JSON.stringify(split)})`,
          });
        }
      }
      const existing = idsByToken.get(token);
      if (existing !== undefined) {
        throw new InvalidArgumentError({
          argument,
          message: `${JSON.stringify(token)} is already in the vocabulary with id ${existing}`,
        });
      }
      idsByToken.set(token, id);
    });

    this.onUnknown = onUnknown;
    this.specialTokens = specialTokens;
    this.words = [...words];
    this.tokens = tokens;
    this.idsByToken = idsByToken;
    const alternatives = [...specialTokens]
      .sort((first, second) => second.length - first.length)
      .map((token) => token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialTokenPattern = new RegExp(`(${alternatives.join('|')})`, 'u');
  }

  /**
   * Builds the vocabulary from texts, deterministically: every word (as split by the pre-tokenizer) that occurs at
   * least `minCount` times, sorted by UTF-16 code units. Special tokens written in the texts are not counted.
   *
   * @param texts - e.g. every caption, prompt template and instruction the model will see
   */
  static fromTexts(texts: Iterable<string>, options: WordLevelTokenizerFromTextsOptions = {}): WordLevelTokenizer {
    const { minCount = 1, extraSpecialTokens = [], onUnknown = 'unk' } = options;
    if (!Number.isInteger(minCount) || minCount < 1) {
      throw new InvalidArgumentError({ argument: 'minCount', message: `expected a positive integer, got ${minCount}` });
    }
    // A throwaway tokenizer without words knows how to split texts around the special tokens.
    const splitter = new WordLevelTokenizer({ words: [], extraSpecialTokens, onUnknown });
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const piece of splitter.splitOnSpecialTokens(text)) {
        if ('plainText' in piece) {
          for (const word of splitWords(piece.plainText)) counts.set(word, (counts.get(word) ?? 0) + 1);
        }
      }
    }
    const words = [...counts]
      .filter(([, count]) => count >= minCount)
      .map(([word]) => word)
      .sort((first, second) => (first < second ? -1 : first > second ? 1 : 0));
    return new WordLevelTokenizer({ words, extraSpecialTokens, onUnknown });
  }

  /**
   * Restores a tokenizer saved with {@link WordLevelTokenizer.toJSON}.
   *
   * @param json - the object `toJSON()` returned, or its `JSON.stringify` text
   * @throws InvalidArgumentError naming what is wrong when `json` is not a saved word-level tokenizer
   */
  static fromJSON(json: unknown): WordLevelTokenizer {
    let value = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (error) {
        throw new InvalidArgumentError({
          argument: 'json',
          message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
        });
      }
    }
    const parsed = wordLevelTokenizerJsonSchema.safeParse(value);
    if (!parsed.success) {
      throw new InvalidArgumentError({
        argument: 'json',
        message: `not a saved word-level tokenizer: ${z.prettifyError(parsed.error)}`,
        cause: parsed.error,
      });
    }
    const { specialTokens, words, onUnknown } = parsed.data;
    const prefix = specialTokens.slice(0, coreSpecialTokens.length);
    if (prefix.length !== coreSpecialTokens.length || prefix.some((token, index) => token !== coreSpecialTokens[index])) {
      throw new InvalidArgumentError({
        argument: 'json.specialTokens',
        message: `must start with ${JSON.stringify(coreSpecialTokens)}, got ${JSON.stringify(prefix)}`,
      });
    }
    return new WordLevelTokenizer({ words, extraSpecialTokens: specialTokens.slice(coreSpecialTokens.length), onUnknown });
  }

  /** The saved form; `WordLevelTokenizer.fromJSON(tokenizer.toJSON())` gives a tokenizer with the same ids. */
  toJSON(): WordLevelTokenizerJson {
    return {
      format: 'reca.word-level-tokenizer',
      version: 1,
      specialTokens: [...this.specialTokens],
      words: [...this.words],
      onUnknown: this.onUnknown,
    };
  }

  get vocabularySize(): number {
    return this.tokens.length;
  }

  /**
   * Token ids of a text: `<bos>`, the words' ids, `<eos>` (without the two when `addSpecialTokens` is false).
   *
   * @throws UnknownWordsError when the text has words outside the vocabulary and `onUnknown` is `'error'`
   */
  encode(text: string, options: TextTokenizerEncodeOptions = {}): number[] {
    const { addSpecialTokens = true, onUnknown = this.onUnknown } = options;
    if (typeof text !== 'string') {
      throw new InvalidArgumentError({ argument: 'text', message: `expected a string, got ${typeof text}` });
    }
    const ids: number[] = addSpecialTokens ? [this.beginTokenId] : [];
    const unknownWords: string[] = [];
    for (const piece of this.splitOnSpecialTokens(text)) {
      if ('specialToken' in piece) {
        ids.push(this.idsByToken.get(piece.specialToken) as number);
        continue;
      }
      for (const word of splitWords(piece.plainText)) {
        const id = this.idsByToken.get(word);
        if (id === undefined) {
          if (!unknownWords.includes(word)) unknownWords.push(word);
          ids.push(this.unknownTokenId);
        } else {
          ids.push(id);
        }
      }
    }
    if (unknownWords.length > 0 && onUnknown === 'error') {
      throw new UnknownWordsError({ unknownWords, text });
    }
    if (addSpecialTokens) ids.push(this.endTokenId);
    return ids;
  }

  /**
   * The distinct words of a text that are not in the vocabulary, in order of first appearance (empty when every word
   * is known). Lets a caller check a prompt before encoding it.
   */
  findUnknownWords(text: string): string[] {
    const unknownWords: string[] = [];
    for (const piece of this.splitOnSpecialTokens(text)) {
      if ('plainText' in piece) {
        for (const word of splitWords(piece.plainText)) {
          if (!this.idsByToken.has(word) && !unknownWords.includes(word)) unknownWords.push(word);
        }
      }
    }
    return unknownWords;
  }

  /**
   * The text of token ids: words joined by single spaces, with no space before `. , ! ? ; : ) ] }` and none after
   * `( [ {`. For lowercase text made of vocabulary words, `decode(encode(text))` gives the text back with its
   * whitespace normalised.
   *
   * @throws InvalidArgumentError when an id is not an integer in `[0, vocabularySize)`
   */
  decode(ids: ArrayLike<number>, options: TextTokenizerDecodeOptions = {}): string {
    const { skipSpecialTokens = true } = options;
    let text = '';
    let previous: string | undefined;
    for (let index = 0; index < ids.length; index += 1) {
      const id = ids[index];
      const token = Number.isInteger(id) ? this.tokens[id] : undefined;
      if (token === undefined) {
        throw new InvalidArgumentError({
          argument: `ids[${index}]`,
          message: `expected an integer token id in [0, ${this.vocabularySize}), got ${id}`,
        });
      }
      if (skipSpecialTokens && id < this.specialTokens.length) continue;
      const needsSpace = previous !== undefined && !noSpaceBefore.has(token) && !noSpaceAfter.has(previous);
      text += needsSpace ? ` ${token}` : token;
      previous = token;
    }
    return text;
  }

  /** Encodes texts into one padded int32 batch; see `EncodeBatchOptions` and `encodeTextBatch`. */
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): TokenizedBatch {
    return encodeTextBatch(this, texts, options);
  }

  tokenToId(token: string): number | undefined {
    return this.idsByToken.get(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) ? this.tokens[id] : undefined;
  }

  /** Splits a text into special tokens written verbatim and the plain text between them. */
  private splitOnSpecialTokens(text: string): TextPiece[] {
    // With one capture group, `split` puts the separators (the special tokens) at the odd positions.
    return text
      .split(this.specialTokenPattern)
      .map((part, index): TextPiece => (index % 2 === 1 ? { specialToken: part } : { plainText: part }))
      .filter((piece) => !('plainText' in piece) || piece.plainText.length > 0);
  }
}
