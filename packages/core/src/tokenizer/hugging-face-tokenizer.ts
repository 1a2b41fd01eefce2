import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InvalidArgumentError } from '@reca/runtime';
import { TokenizerFileError } from '../errors/tokenizer-file-error.js';
import { UnknownWordsError } from '../errors/unknown-words-error.js';
import type { EncodeBatchOptions } from './encode-batch-options.js';
import { encodeTextBatch } from './encode-text-batch.js';
import { readJsonFile } from './read-json-file.js';
import type {
  OnUnknownWord,
  TextTokenizer,
  TextTokenizerDecodeOptions,
  TextTokenizerEncodeOptions,
} from './text-tokenizer.js';
import type { TokenizedBatch } from './tokenized-batch.js';

/** Token strings to use as the special tokens, overriding what `tokenizer_config.json` names. */
export interface HuggingFaceSpecialTokenNames {
  /** @default `pad_token` of tokenizer_config.json */
  pad?: string;
  /** @default `bos_token` of tokenizer_config.json */
  begin?: string;
  /** @default `eos_token` of tokenizer_config.json */
  end?: string;
  /** @default `unk_token` of tokenizer_config.json, else the model's own unknown token from tokenizer.json */
  unknown?: string;
}

/** Options shared by the ways of loading a {@link HuggingFaceTokenizer}. */
export interface HuggingFaceTokenizerOptions {
  /** @default the names in tokenizer_config.json */
  specialTokens?: HuggingFaceSpecialTokenNames;
  /**
   * What `encode` does when a word maps to the unknown token (or to nothing, when the tokenizer has no unknown
   * token). Byte-level BPE tokenizers never meet unknown words.
   * @default 'unk'
   */
  onUnknown?: OnUnknownWord;
}

/** Configuration of a {@link HuggingFaceTokenizer} built from already parsed JSON. */
export interface HuggingFaceTokenizerConfig extends HuggingFaceTokenizerOptions {
  /** The parsed `tokenizer.json`. */
  tokenizerJson: unknown;
  /**
   * The parsed `tokenizer_config.json`.
   * @default {}
   */
  tokenizerConfig?: unknown;
  /**
   * Where `tokenizerJson` came from, named in errors.
   * @default '<in-memory tokenizer.json>'
   */
  tokenizerJsonSource?: string;
  /**
   * Where `tokenizerConfig` came from, named in errors.
   * @default '<in-memory tokenizer_config.json>'
   */
  tokenizerConfigSource?: string;
}

/** Files of {@link HuggingFaceTokenizer.fromFiles}. */
export interface HuggingFaceTokenizerFiles extends HuggingFaceTokenizerOptions {
  /** Path of `tokenizer.json`. */
  tokenizerJsonPath: string;
  /**
   * Path of `tokenizer_config.json`; when given, the file must exist.
   * @default undefined (no config: special tokens come from `specialTokens` and the model's unknown token)
   */
  tokenizerConfigPath?: string;
}

/** Keys of tokenizer_config.json that name one token, as a string or as a serialised `AddedToken` object. */
const tokenKeys = ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token'] as const;

/** Keys the library requires in tokenizer.json; hand-written files may leave them out (meaning "none"). */
const optionalComponentKeys = ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value);
}

/** A token as tokenizer_config.json writes it: `"<s>"` or `{ "content": "<s>", … }`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.content === 'string') return value.content;
  return undefined;
}

/**
 * A Hugging Face tokenizer (`tokenizer.json`, optionally with `tokenizer_config.json`) behind the
 * {@link TextTokenizer} interface, running on the maintained `@huggingface/tokenizers` library (BPE, WordPiece,
 * Unigram and WordLevel models with their normalizers, pre-tokenizers, post-processors and decoders).
 *
 * Special token ids come from the token names in tokenizer_config.json (`pad_token`, `bos_token`, `eos_token`,
 * `unk_token`), or from `specialTokens`; any of them may be `undefined`.
 */
export class HuggingFaceTokenizer implements TextTokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly tokenizerType = 'hugging-face';
  readonly vocabularySize: number;
  readonly padTokenId: number | undefined;
  readonly beginTokenId: number | undefined;
  readonly endTokenId: number | undefined;
  readonly unknownTokenId: number | undefined;
  /** The model type of tokenizer.json (`'BPE'`, `'WordPiece'`, `'Unigram'`, `'WordLevel'`, …). */
  readonly modelType: string;
  /** The tokenizer's default for `encode`'s `onUnknown`. */
  readonly onUnknown: OnUnknownWord;
  /** Where tokenizer.json came from (its path when loaded from disk). */
  readonly source: string;

  private readonly tokenizer: Tokenizer;
  private readonly unknownToken: string | undefined;

  /**
   * @throws TokenizerFileError (`invalid-tokenizer`, naming the source) when the JSON is not a tokenizer the library
   * can load, or tokenizer_config.json names a special token that is not in the vocabulary
   * @throws InvalidArgumentError when `specialTokens` names a token that is not in the vocabulary
   */
  constructor({
    tokenizerJson,
    tokenizerConfig = {},
    tokenizerJsonSource = '<in-memory tokenizer.json>',
    tokenizerConfigSource = '<in-memory tokenizer_config.json>',
    specialTokens = {},
    onUnknown = 'unk',
  }: HuggingFaceTokenizerConfig) {
    if (onUnknown !== 'unk' && onUnknown !== 'error') {
      throw new InvalidArgumentError({ argument: 'onUnknown', message: `expected 'unk' or 'error', got '${String(onUnknown)}'` });
    }
    if (!isRecord(tokenizerJson)) {
      throw new TokenizerFileError({ path: tokenizerJsonSource, reason: 'invalid-tokenizer', detail: 'expected a JSON object' });
    }
    const model = tokenizerJson.model;
    if (!isRecord(model) || model.vocab == null || typeof model.vocab !== 'object') {
      throw new TokenizerFileError({
        path: tokenizerJsonSource,
        reason: 'invalid-tokenizer',
        detail: "expected a 'model' object with a 'vocab' object or array",
      });
    }
    if (!isRecord(tokenizerConfig)) {
      throw new TokenizerFileError({ path: tokenizerConfigSource, reason: 'invalid-tokenizer', detail: 'expected a JSON object' });
    }

    const completeJson: Record<string, unknown> = { added_tokens: [], ...tokenizerJson };
    for (const key of optionalComponentKeys) completeJson[key] ??= null;
    // The library reads token names as plain strings; HF configs may write them as AddedToken objects.
    const normalizedConfig: Record<string, unknown> = { ...tokenizerConfig };
    for (const key of tokenKeys) {
      if (key in normalizedConfig) normalizedConfig[key] = tokenContent(normalizedConfig[key]);
    }
    if (Array.isArray(normalizedConfig.additional_special_tokens)) {
      normalizedConfig.additional_special_tokens = normalizedConfig.additional_special_tokens
        .map(tokenContent)
        .filter((token): token is string => token !== undefined);
    }
    const modelUnknownToken = typeof model.unk_token === 'string' ? model.unk_token : undefined;
    // WordLevel models are run by the library's vocabulary-lookup model, which takes its unknown token from the config.
    normalizedConfig.unk_token ??= modelUnknownToken;

    try {
      this.tokenizer = new Tokenizer(completeJson, normalizedConfig);
    } catch (error) {
      throw new TokenizerFileError({
        path: tokenizerJsonSource,
        reason: 'invalid-tokenizer',
        detail: error instanceof Error ? error.message : String(error),
        cause: error,
      });
    }

    const resolve = (
      role: keyof HuggingFaceSpecialTokenNames,
      configKey: (typeof tokenKeys)[number],
      fallback?: string,
    ): [number | undefined, string | undefined] => {
      const override = specialTokens[role];
      const configured = tokenContent(tokenizerConfig[configKey]);
      const name = override ?? configured ?? fallback;
      if (name === undefined) return [undefined, undefined];
      const id = this.tokenizer.token_to_id(name);
      if (id !== undefined) return [id, name];
      if (override !== undefined) {
        throw new InvalidArgumentError({
          argument: `specialTokens.${role}`,
          message: `${JSON.stringify(override)} is not in the vocabulary of ${tokenizerJsonSource}`,
        });
      }
      if (configured !== undefined) {
        throw new TokenizerFileError({
          path: tokenizerConfigSource,
          reason: 'invalid-tokenizer',
          detail: `${configKey} ${JSON.stringify(configured)} is not in the vocabulary of ${tokenizerJsonSource}`,
        });
      }
      return [undefined, undefined];
    };

    [this.padTokenId] = resolve('pad', 'pad_token');
    [this.beginTokenId] = resolve('begin', 'bos_token');
    [this.endTokenId] = resolve('end', 'eos_token');
    const [unknownTokenId, unknownToken] = resolve('unknown', 'unk_token', modelUnknownToken);
    // Unigram models name their unknown token by id (`unk_id`) rather than by string.
    this.unknownTokenId = unknownTokenId ?? this.tokenizer.model?.unk_token_id;
    this.unknownToken =
      unknownToken ?? (this.unknownTokenId === undefined ? undefined : this.tokenizer.id_to_token(this.unknownTokenId));

    let largestId = -1;
    for (const id of this.tokenizer.get_vocab(true).values()) largestId = Math.max(largestId, id);
    this.vocabularySize = largestId + 1;
    this.modelType = typeof model.type === 'string' ? model.type : 'unknown';
    this.onUnknown = onUnknown;
    this.source = tokenizerJsonSource;
  }

  /**
   * Loads `tokenizer.json` and, when given, `tokenizer_config.json`.
   *
   * @throws TokenizerFileError naming the file when it is missing, unreadable, not JSON or not a tokenizer
   */
  static async fromFiles({
    tokenizerJsonPath,
    tokenizerConfigPath,
    ...options
  }: HuggingFaceTokenizerFiles): Promise<HuggingFaceTokenizer> {
    const tokenizerJson = await readJsonFile(tokenizerJsonPath);
    const tokenizerConfig = tokenizerConfigPath === undefined ? {} : await readJsonFile(tokenizerConfigPath);
    return new HuggingFaceTokenizer({
      ...options,
      tokenizerJson,
      tokenizerConfig,
      tokenizerJsonSource: tokenizerJsonPath,
      tokenizerConfigSource: tokenizerConfigPath,
    });
  }

  /**
   * Loads `directory/tokenizer.json` (required) and `directory/tokenizer_config.json` (used when present), the layout
   * of a model folder on the Hugging Face Hub.
   *
   * @throws TokenizerFileError naming the file when tokenizer.json is missing, or a file is unreadable, not JSON or
   * not a tokenizer
   */
  static async fromDirectory(directory: string, options: HuggingFaceTokenizerOptions = {}): Promise<HuggingFaceTokenizer> {
    const tokenizerJsonPath = join(directory, 'tokenizer.json');
    const tokenizerConfigPath = join(directory, 'tokenizer_config.json');
    const tokenizerJson = await readJsonFile(tokenizerJsonPath);
    let tokenizerConfig: unknown = {};
    try {
      tokenizerConfig = await readJsonFile(tokenizerConfigPath);
    } catch (error) {
      if (!(TokenizerFileError.isInstance(error) && error.reason === 'not-found')) throw error;
    }
    return new HuggingFaceTokenizer({
      ...options,
      tokenizerJson,
      tokenizerConfig,
      tokenizerJsonSource: tokenizerJsonPath,
      tokenizerConfigSource: tokenizerConfigPath,
    });
  }

  /**
   * Token ids of a text, with the special tokens of the tokenizer's post-processor when `addSpecialTokens` is true.
   *
   * @throws UnknownWordsError naming the unknown words (whitespace-separated words of `text` that map to the unknown
   * token) when `onUnknown` is `'error'`, or when a word maps to nothing because the tokenizer has no unknown token
   */
  encode(text: string, options: TextTokenizerEncodeOptions = {}): number[] {
    const { addSpecialTokens = true, onUnknown = this.onUnknown } = options;
    if (typeof text !== 'string') {
      throw new InvalidArgumentError({ argument: 'text', message: `expected a string, got ${typeof text}` });
    }
    const encoding = this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
    // The library leaves an id undefined when a token is not in the vocabulary and there is no unknown token.
    if (encoding.ids.some((id) => id === undefined)) {
      throw new UnknownWordsError({
        unknownWords: this.findUnknownWords(text),
        text,
        context: `${this.source} has no unknown token`,
      });
    }
    if (onUnknown === 'error' && this.unknownTokenId !== undefined && encoding.ids.includes(this.unknownTokenId)) {
      // An unknown token id may also come from the unknown token written verbatim; only real unknown words count.
      const unknownWords = this.findUnknownWords(text);
      if (unknownWords.length > 0) throw new UnknownWordsError({ unknownWords, text });
    }
    return encoding.ids;
  }

  /**
   * The distinct whitespace-separated words of a text that encode to (or contain) the unknown token, in order of first
   * appearance. A word that is the unknown token itself, written verbatim, does not count.
   */
  findUnknownWords(text: string): string[] {
    const unknownWords: string[] = [];
    for (const word of text.split(/\s+/u)) {
      if (word.length === 0 || word === this.unknownToken || unknownWords.includes(word)) continue;
      const ids = this.tokenizer.encode(word, { add_special_tokens: false }).ids;
      if (ids.some((id) => id === undefined || id === this.unknownTokenId)) unknownWords.push(word);
    }
    return unknownWords;
  }

  /**
   * The text of token ids, through the tokenizer's decoder. With `skipSpecialTokens`, the pad, begin and end tokens
   * and every token the files mark special are left out.
   *
   * @throws InvalidArgumentError when an id is not a token id of this tokenizer
   */
  decode(ids: ArrayLike<number>, options: TextTokenizerDecodeOptions = {}): string {
    const { skipSpecialTokens = true } = options;
    const kept: number[] = [];
    for (let index = 0; index < ids.length; index += 1) {
      const id = ids[index];
      if (!Number.isInteger(id) || this.tokenizer.id_to_token(id) === undefined) {
        throw new InvalidArgumentError({
          argument: `ids[${index}]`,
          message: `expected a token id of ${this.source} (an integer in [0, ${this.vocabularySize})), got ${id}`,
        });
      }
      if (skipSpecialTokens && (id === this.padTokenId || id === this.beginTokenId || id === this.endTokenId)) continue;
      kept.push(id);
    }
    // The library refuses an empty list.
    if (kept.length === 0) return '';
    return this.tokenizer.decode(kept, { skip_special_tokens: skipSpecialTokens });
  }

  /** Encodes texts into one padded int32 batch; see `EncodeBatchOptions` and `encodeTextBatch`. */
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): TokenizedBatch {
    return encodeTextBatch(this, texts, options);
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) ? this.tokenizer.id_to_token(id) : undefined;
  }
}
