import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TokenizerFileError } from '../errors/tokenizer-file-error.js';
import { UnknownWordsError } from '../errors/unknown-words-error.js';
import { HuggingFaceTokenizer } from './hugging-face-tokenizer.js';

function addedToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/**
 * A SentencePiece-style BPE written by hand: Metaspace pre-tokenizer ('▁' marks a word start), seven merges,
 * `<s> $A </s>` template. Expected segmentations, by applying the merges in rank order:
 *   '▁lower'  → ▁ l o w e r → ▁l o w e r → ▁lo w e r → ▁low e r → ▁low er
 *   '▁lowest' → … → ▁low e s t → ▁low es t → ▁low est
 *   '▁newest' → ▁n e w e s t → ▁n e w es t → ▁n e w est
 */
const bpeVocabulary: Record<string, number> = {
  '<unk>': 0, '<s>': 1, '</s>': 2, '▁': 3, l: 4, o: 5, w: 6, e: 7, r: 8, s: 9, t: 10, n: 11,
  '▁l': 12, '▁lo': 13, '▁low': 14, er: 15, es: 16, est: 17, '▁n': 18,
};
const bpeTokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [addedToken(0, '<unk>'), addedToken(1, '<s>'), addedToken(2, '</s>')],
  normalizer: null,
  pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
    pair: [],
    special_tokens: {
      '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] },
      '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] },
    },
  },
  decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: '<unk>',
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: bpeVocabulary,
    merges: ['▁ l', '▁l o', '▁lo w', 'e r', 'e s', 'es t', '▁ n'],
  },
};
const bpeTokenizerConfig = {
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: { __type: 'AddedToken', content: '<unk>', lstrip: false, normalized: false, rstrip: false, single_word: false },
  pad_token: null,
  clean_up_tokenization_spaces: false,
};

/** A BERT-like WordLevel tokenizer: lowercase, whitespace/punctuation split, `[CLS] $A [SEP]`. */
const wordLevelVocabulary: Record<string, number> = {
  '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, a: 4, red: 5, circle: 6, '.': 7, blue: 8,
};
const wordLevelTokenizerJson = {
  version: '1.0',
  added_tokens: [addedToken(0, '[PAD]'), addedToken(1, '[UNK]'), addedToken(2, '[CLS]'), addedToken(3, '[SEP]')],
  normalizer: { type: 'Lowercase' },
  pre_tokenizer: { type: 'Whitespace' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
    },
  },
  decoder: null,
  model: { type: 'WordLevel', vocab: wordLevelVocabulary, unk_token: '[UNK]' },
};
const wordLevelTokenizerConfig = {
  bos_token: '[CLS]',
  eos_token: '[SEP]',
  pad_token: { content: '[PAD]', __type: 'AddedToken' },
  unk_token: '[UNK]',
};

let directory: string;
const path = (...parts: string[]): string => join(directory, ...parts);

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2), 'utf8');
}

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

async function captureAsyncError(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'reca-hf-tokenizer-'));
  await mkdir(path('bpe'));
  await writeJson(path('bpe', 'tokenizer.json'), bpeTokenizerJson);
  await writeJson(path('bpe', 'tokenizer_config.json'), bpeTokenizerConfig);
  await mkdir(path('word-level'));
  await writeJson(path('word-level', 'tokenizer.json'), wordLevelTokenizerJson);
  await writeJson(path('word-level', 'tokenizer_config.json'), wordLevelTokenizerConfig);
  await mkdir(path('word-level-no-config'));
  await writeJson(path('word-level-no-config', 'tokenizer.json'), wordLevelTokenizerJson);
  await writeFile(path('broken.json'), '{"model": {"type": "BPE", ', 'utf8');
  await writeJson(path('not-a-tokenizer.json'), { model: 5 });
  await writeJson(path('bad-config.json'), { pad_token: '<pad>' });
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('HuggingFaceTokenizer with a hand-written BPE', () => {
  test('reads special tokens from tokenizer_config.json (AddedToken objects included)', async () => {
    const tokenizer = await HuggingFaceTokenizer.fromDirectory(path('bpe'));
    expect(tokenizer.specificationVersion).toBe('v1');
    expect(tokenizer.tokenizerType).toBe('hugging-face');
    expect(tokenizer.modelType).toBe('BPE');
    expect(tokenizer.source).toBe(path('bpe', 'tokenizer.json'));
    expect(tokenizer.vocabularySize).toBe(19);
    expect(tokenizer.beginTokenId).toBe(1);
    expect(tokenizer.endTokenId).toBe(2);
    expect(tokenizer.unknownTokenId).toBe(0);
    expect(tokenizer.padTokenId).toBeUndefined();
    expect(tokenizer.tokenToId('▁low')).toBe(14);
    expect(tokenizer.idToToken(17)).toBe('est');
    expect(tokenizer.idToToken(19)).toBeUndefined();
  });

  test('encodes by applying the merges, and decodes back', async () => {
    const tokenizer = await HuggingFaceTokenizer.fromDirectory(path('bpe'));
    expect(tokenizer.encode('lower lowest')).toEqual([1, 14, 15, 14, 17, 2]);
    expect(tokenizer.encode('lower lowest', { addSpecialTokens: false })).toEqual([14, 15, 14, 17]);
    expect(tokenizer.encode('newest', { addSpecialTokens: false })).toEqual([18, 7, 6, 17]);
    expect(tokenizer.decode([1, 14, 15, 14, 17, 2])).toBe('lower lowest');
    // The Metaspace decoder turns the word-start '▁' after '<s>' into a space.
    expect(tokenizer.decode([1, 14, 15, 2], { skipSpecialTokens: false })).toBe('<s> lower</s>');
    expect(tokenizer.decode(Int32Array.from([18, 7, 6, 17]))).toBe('newest');
    expect(tokenizer.decode([])).toBe('');
  });

  test('maps unknown characters to <unk>, or names the word when asked to fail', async () => {
    const tokenizer = await HuggingFaceTokenizer.fromDirectory(path('bpe'));
    expect(tokenizer.encode('lowz')).toEqual([1, 14, 0, 2]);
    const error = captureError(() => tokenizer.encode('lower lowz', { onUnknown: 'error' }));
    expect(UnknownWordsError.isInstance(error)).toBe(true);
    if (!UnknownWordsError.isInstance(error)) return;
    expect(error.unknownWords).toEqual(['lowz']);
    expect(error.text).toBe('lower lowz');
    // The unknown token written verbatim is not an unknown word.
    expect(tokenizer.encode('<unk> low', { onUnknown: 'error', addSpecialTokens: false })).toEqual([0, 14]);
    const strict = await HuggingFaceTokenizer.fromDirectory(path('bpe'), { onUnknown: 'error' });
    expect(() => strict.encode('zz')).toThrow(/"zz"/);
  });

  test('batches need a pad id when the tokenizer has none, and truncation keeps <s> and </s>', async () => {
    const tokenizer = await HuggingFaceTokenizer.fromDirectory(path('bpe'));
    expect(() => tokenizer.encodeBatch(['lower lowest', 'low'])).toThrow(/'padTokenId'/);
    // Rows of equal length need no padding.
    expect(Array.from(tokenizer.encodeBatch(['lower lowest', 'newest']).ids)).toEqual([1, 14, 15, 14, 17, 2, 1, 18, 7, 6, 17, 2]);
    const batch = tokenizer.encodeBatch(['lower lowest', 'low', 'newest'], {
      maxLength: 5,
      truncation: true,
      padTokenId: 2,
      padding: 'left',
    });
    expect(batch.shape).toEqual([3, 5]);
    expect(Array.from(batch.ids)).toEqual([1, 14, 15, 14, 2, 2, 2, 1, 14, 2, 1, 18, 7, 6, 2]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(batch.truncated).toEqual([true, false, true]);
  });

  test('a specialTokens option overrides the config, and must name a vocabulary token', async () => {
    const tokenizer = await HuggingFaceTokenizer.fromDirectory(path('bpe'), { specialTokens: { pad: '</s>' } });
    expect(tokenizer.padTokenId).toBe(2);
    expect(Array.from(tokenizer.encodeBatch(['low', 'lower']).ids)).toEqual([1, 14, 2, 2, 1, 14, 15, 2]);
    const error = await captureAsyncError(() => HuggingFaceTokenizer.fromDirectory(path('bpe'), { specialTokens: { pad: '<pad>' } }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("'specialTokens.pad'");
  });

  test('decode rejects ids outside the vocabulary', async () => {
    const tokenizer = await HuggingFaceTokenizer.fromDirectory(path('bpe'));
    expect(() => tokenizer.decode([14, 19])).toThrow(/'ids\[1\]'.*\[0, 19\)/);
    expect(() => tokenizer.decode([0.5])).toThrow(/'ids\[0\]'/);
  });

  test('can be built from parsed JSON without a config', () => {
    const tokenizer = new HuggingFaceTokenizer({ tokenizerJson: bpeTokenizerJson });
    expect(tokenizer.beginTokenId).toBeUndefined();
    // The model's own unknown token.
    expect(tokenizer.unknownTokenId).toBe(0);
    expect(tokenizer.encode('lowest')).toEqual([1, 14, 17, 2]);
  });
});

describe('HuggingFaceTokenizer with a hand-written WordLevel model', () => {
  test('lowercases, splits and adds [CLS]/[SEP]', async () => {
    const tokenizer = await HuggingFaceTokenizer.fromFiles({
      tokenizerJsonPath: path('word-level', 'tokenizer.json'),
      tokenizerConfigPath: path('word-level', 'tokenizer_config.json'),
    });
    expect(tokenizer.modelType).toBe('WordLevel');
    expect([tokenizer.padTokenId, tokenizer.unknownTokenId, tokenizer.beginTokenId, tokenizer.endTokenId]).toEqual([0, 1, 2, 3]);
    expect(tokenizer.vocabularySize).toBe(9);
    expect(tokenizer.encode('A red circle.')).toEqual([2, 4, 5, 6, 7, 3]);
    expect(tokenizer.encode('a green circle')).toEqual([2, 4, 1, 6, 3]);
    expect(() => tokenizer.encode('a green circle', { onUnknown: 'error' })).toThrow(/"green".*"a green circle"/);
    expect(tokenizer.decode([2, 4, 5, 6, 7, 3, 0])).toBe('a red circle.');
    const batch = tokenizer.encodeBatch(['a blue circle', 'red'], { maxLength: 6 });
    expect(Array.from(batch.ids)).toEqual([2, 4, 8, 6, 3, 0, 2, 5, 3, 0, 0, 0]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0]);
  });

  test("without tokenizer_config.json, unknown words still map to the model's unk_token", async () => {
    const tokenizer = await HuggingFaceTokenizer.fromDirectory(path('word-level-no-config'));
    expect(tokenizer.unknownTokenId).toBe(1);
    expect(tokenizer.padTokenId).toBeUndefined();
    expect(tokenizer.encode('a green circle')).toEqual([2, 4, 1, 6, 3]);
  });

  test('a model without any unknown token fails on unknown words even in unk mode', () => {
    const { unk_token: _unused, ...modelWithoutUnknown } = wordLevelTokenizerJson.model;
    const tokenizer = new HuggingFaceTokenizer({ tokenizerJson: { ...wordLevelTokenizerJson, model: modelWithoutUnknown } });
    expect(tokenizer.unknownTokenId).toBeUndefined();
    expect(tokenizer.encode('a red')).toEqual([2, 4, 5, 3]);
    const error = captureError(() => tokenizer.encode('a green circle'));
    expect(UnknownWordsError.isInstance(error)).toBe(true);
    expect((error as UnknownWordsError).unknownWords).toEqual(['green']);
    expect((error as Error).message).toContain('has no unknown token');
  });
});

describe('HuggingFaceTokenizer file errors', () => {
  test('a missing tokenizer.json names the path', async () => {
    const missing = path('nowhere', 'tokenizer.json');
    const error = await captureAsyncError(() => HuggingFaceTokenizer.fromDirectory(path('nowhere')));
    expect(TokenizerFileError.isInstance(error)).toBe(true);
    if (!TokenizerFileError.isInstance(error)) return;
    expect(error.name).toBe('RECA_TokenizerFileError');
    expect(error.reason).toBe('not-found');
    expect(error.path).toBe(missing);
    expect(error.message).toBe(`Tokenizer file '${missing}' not found`);
  });

  test('a config path that was given must exist', async () => {
    const error = await captureAsyncError(() =>
      HuggingFaceTokenizer.fromFiles({
        tokenizerJsonPath: path('bpe', 'tokenizer.json'),
        tokenizerConfigPath: path('bpe', 'missing_config.json'),
      }),
    );
    expect(TokenizerFileError.isInstance(error) && error.reason === 'not-found').toBe(true);
    expect((error as Error).message).toContain(path('bpe', 'missing_config.json'));
  });

  test('invalid JSON names the file', async () => {
    const error = await captureAsyncError(() => HuggingFaceTokenizer.fromFiles({ tokenizerJsonPath: path('broken.json') }));
    expect(TokenizerFileError.isInstance(error) && error.reason === 'invalid-json').toBe(true);
    expect((error as Error).message).toContain(`'${path('broken.json')}' is not valid JSON:`);
  });

  test('JSON that is not a tokenizer names the file', async () => {
    const error = await captureAsyncError(() => HuggingFaceTokenizer.fromFiles({ tokenizerJsonPath: path('not-a-tokenizer.json') }));
    expect(TokenizerFileError.isInstance(error) && error.reason === 'invalid-tokenizer').toBe(true);
    expect((error as Error).message).toContain(path('not-a-tokenizer.json'));
    expect(() => new HuggingFaceTokenizer({ tokenizerJson: { model: { type: 'BPE', vocab: 3 } } })).toThrow(
      /'<in-memory tokenizer.json>' is not a usable tokenizer: expected a 'model' object/,
    );
    // An error of the library itself is wrapped and names the source.
    const unknownPreTokenizer = { ...bpeTokenizerJson, pre_tokenizer: { type: 'Nope' } };
    expect(() => new HuggingFaceTokenizer({ tokenizerJson: unknownPreTokenizer, tokenizerJsonSource: 'x/tokenizer.json' })).toThrow(
      /'x\/tokenizer.json' is not a usable tokenizer: Unknown PreTokenizer type: Nope/,
    );
  });

  test('a config naming a special token outside the vocabulary names the config file', async () => {
    const error = await captureAsyncError(() =>
      HuggingFaceTokenizer.fromFiles({
        tokenizerJsonPath: path('bpe', 'tokenizer.json'),
        tokenizerConfigPath: path('bad-config.json'),
      }),
    );
    expect(TokenizerFileError.isInstance(error) && error.reason === 'invalid-tokenizer').toBe(true);
    expect(error instanceof Error && error.message).toContain(`'${path('bad-config.json')}'`);
    expect(error instanceof Error && error.message).toContain('pad_token "<pad>"');
  });

  test('reading a directory as a file is unreadable', async () => {
    const error = await captureAsyncError(() => HuggingFaceTokenizer.fromFiles({ tokenizerJsonPath: path('bpe') }));
    expect(TokenizerFileError.isInstance(error) && error.reason === 'unreadable').toBe(true);
  });
});
