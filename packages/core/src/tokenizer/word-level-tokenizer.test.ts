import { InvalidArgumentError } from '@reca/runtime';
import { describe, expect, test } from 'vitest';
import { UnknownWordsError } from '../errors/unknown-words-error.js';
import { WordLevelTokenizer, wordLevelSpecialTokens } from './word-level-tokenizer.js';

const texts = ['A red circle.', 'a blue square left of a red circle', '<image> Describe the image.'];

// Sorted words: '.' (code 46) comes before the letters.
const expectedWords = ['.', 'a', 'blue', 'circle', 'describe', 'image', 'left', 'of', 'red', 'square', 'the'];
// Ids: <pad> 0, <bos> 1, <eos> 2, <unk> 3, <image> 4, then the words from 5.
const id = (word: string): number => 5 + expectedWords.indexOf(word);

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('WordLevelTokenizer.fromTexts', () => {
  const tokenizer = WordLevelTokenizer.fromTexts(texts, { extraSpecialTokens: ['<image>'] });

  test('builds a sorted vocabulary after the special tokens', () => {
    expect(tokenizer.specialTokens).toEqual(['<pad>', '<bos>', '<eos>', '<unk>', '<image>']);
    expect(tokenizer.words).toEqual(expectedWords);
    expect(tokenizer.vocabularySize).toBe(16);
    expect([tokenizer.padTokenId, tokenizer.beginTokenId, tokenizer.endTokenId, tokenizer.unknownTokenId]).toEqual([0, 1, 2, 3]);
    expect(tokenizer.tokenToId('<image>')).toBe(4);
    expect(tokenizer.tokenToId(wordLevelSpecialTokens.unknown)).toBe(3);
    expect(tokenizer.tokenToId('circle')).toBe(8);
    expect(tokenizer.idToToken(8)).toBe('circle');
    expect(tokenizer.idToToken(16)).toBeUndefined();
    expect(tokenizer.idToToken(1.5)).toBeUndefined();
  });

  test('is deterministic: the order of the texts does not matter', () => {
    const reversed = WordLevelTokenizer.fromTexts([...texts].reverse(), { extraSpecialTokens: ['<image>'] });
    expect(reversed.toJSON()).toEqual(tokenizer.toJSON());
  });

  test('minCount keeps only words seen that often', () => {
    const frequent = WordLevelTokenizer.fromTexts(texts, { minCount: 2, extraSpecialTokens: ['<image>'] });
    // a ×3, red ×2, circle ×2, '.' ×2; everything else once ('<image>' is a special token, not the word 'image').
    expect(frequent.words).toEqual(['.', 'a', 'circle', 'red']);
    // Without the special token, '<image>' adds a second 'image'.
    expect(WordLevelTokenizer.fromTexts(texts, { minCount: 2 }).words).toEqual(['.', 'a', 'circle', 'image', 'red']);
    expect(() => WordLevelTokenizer.fromTexts(texts, { minCount: 0 })).toThrow(/minCount/);
  });

  test('does not count special tokens written in the texts as words', () => {
    const withoutImageSpecial = WordLevelTokenizer.fromTexts(texts);
    // Without '<image>' as a special token, '<', 'image', '>' are ordinary tokens.
    expect(withoutImageSpecial.words).toEqual(['.', '<', '>', ...expectedWords.slice(1)]);
  });
});

describe('WordLevelTokenizer.encode / decode', () => {
  const tokenizer = WordLevelTokenizer.fromTexts(texts, { extraSpecialTokens: ['<image>'] });

  test('encodes lowercased words with <bos> and <eos>', () => {
    expect(tokenizer.encode('A red circle.')).toEqual([1, id('a'), id('red'), id('circle'), id('.'), 2]);
    expect(tokenizer.encode('A red circle.')).toEqual([1, 6, 13, 8, 5, 2]);
    expect(tokenizer.encode('  A   RED\tcircle . ', { addSpecialTokens: false })).toEqual([6, 13, 8, 5]);
    expect(tokenizer.encode('')).toEqual([1, 2]);
  });

  test('recognises special tokens written in the text', () => {
    expect(tokenizer.encode('<image> Describe the image.')).toEqual([1, 4, id('describe'), id('the'), id('image'), id('.'), 2]);
    expect(tokenizer.encode('a<image>circle', { addSpecialTokens: false })).toEqual([id('a'), 4, id('circle')]);
    expect(tokenizer.encode('<eos><pad>', { addSpecialTokens: false })).toEqual([2, 0]);
  });

  test('maps unknown words to <unk> by default', () => {
    expect(tokenizer.encode('a purple circle')).toEqual([1, id('a'), 3, id('circle'), 2]);
    expect(tokenizer.findUnknownWords('a purple and purple hexagon <image>')).toEqual(['purple', 'and', 'hexagon']);
    expect(tokenizer.findUnknownWords('A red circle.')).toEqual([]);
  });

  test("onUnknown 'error' throws UnknownWordsError naming the words and the text", () => {
    const text = 'a purple and purple hexagon';
    const error = captureError(() => tokenizer.encode(text, { onUnknown: 'error' }));
    expect(UnknownWordsError.isInstance(error)).toBe(true);
    if (!UnknownWordsError.isInstance(error)) return;
    expect(error.name).toBe('RECA_UnknownWordsError');
    expect(error.unknownWords).toEqual(['purple', 'and', 'hexagon']);
    expect(error.text).toBe(text);
    expect(error.message).toContain('"purple", "and", "hexagon"');
    expect(error.message).toContain(JSON.stringify(text));
    // Known words pass even in error mode.
    expect(tokenizer.encode('a red circle', { onUnknown: 'error' })).toEqual([1, 6, 13, 8, 2]);
  });

  test("the tokenizer's own onUnknown is the default, and a call can override it", () => {
    const strict = WordLevelTokenizer.fromTexts(texts, { onUnknown: 'error' });
    expect(strict.onUnknown).toBe('error');
    expect(() => strict.encode('a green circle')).toThrow(/"green"/);
    expect(strict.encode('a green circle', { onUnknown: 'unk' })).toEqual([1, strict.tokenToId('a'), 3, strict.tokenToId('circle'), 2]);
  });

  test('decodes with spacing rules and skips special tokens by default', () => {
    expect(tokenizer.decode([1, 6, 13, 8, 5, 2, 0, 0])).toBe('a red circle.');
    expect(tokenizer.decode([1, 4, 6, 3, 2], { skipSpecialTokens: false })).toBe('<bos> <image> a <unk> <eos>');
    expect(tokenizer.decode(Int32Array.from([6, 13, 8]))).toBe('a red circle');
    expect(tokenizer.decode([])).toBe('');
    const text = 'a blue square left of a red circle.';
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  test('decode rejects ids outside the vocabulary, naming the position', () => {
    const error = captureError(() => tokenizer.decode([1, 16]));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("'ids[1]'");
    expect((error as Error).message).toContain('[0, 16)');
    expect(() => tokenizer.decode([-1])).toThrow(/ids\[0\]/);
    expect(() => tokenizer.decode([2.5])).toThrow(/ids\[0\]/);
  });
});

describe('WordLevelTokenizer toJSON / fromJSON', () => {
  const tokenizer = WordLevelTokenizer.fromTexts(texts, { extraSpecialTokens: ['<image>'], onUnknown: 'error' });

  test('round-trips through a JSON string with the same ids', () => {
    const json = tokenizer.toJSON();
    expect(json).toEqual({
      format: 'reca.word-level-tokenizer',
      version: 1,
      specialTokens: ['<pad>', '<bos>', '<eos>', '<unk>', '<image>'],
      words: expectedWords,
      onUnknown: 'error',
    });
    const restored = WordLevelTokenizer.fromJSON(JSON.stringify(json));
    expect(restored.toJSON()).toEqual(json);
    expect(restored.encode('<image> a red circle.')).toEqual(tokenizer.encode('<image> a red circle.'));
    expect(restored.onUnknown).toBe('error');
    expect(WordLevelTokenizer.fromJSON(json).vocabularySize).toBe(16);
  });

  test('rejects data that is not a saved word-level tokenizer', () => {
    expect(() => WordLevelTokenizer.fromJSON('{not json')).toThrow(/'json': not valid JSON/);
    expect(() => WordLevelTokenizer.fromJSON({ ...tokenizer.toJSON(), format: 'other' })).toThrow(/'json'.*format/s);
    expect(() => WordLevelTokenizer.fromJSON({ ...tokenizer.toJSON(), words: 'a b' })).toThrow(/words/);
    expect(() =>
      WordLevelTokenizer.fromJSON({ ...tokenizer.toJSON(), specialTokens: ['<bos>', '<pad>', '<eos>', '<unk>'] }),
    ).toThrow(/json\.specialTokens/);
  });
});

describe('WordLevelTokenizer constructor', () => {
  test('keeps the given word order', () => {
    const tokenizer = new WordLevelTokenizer({ words: ['square', 'a'] });
    expect(tokenizer.encode('a square', { addSpecialTokens: false })).toEqual([5, 4]);
  });

  test('rejects words the pre-tokenizer would not produce, duplicates and clashing special tokens', () => {
    expect(() => new WordLevelTokenizer({ words: ['Red'] })).toThrow(/'words\[0\]'.*"Red"/);
    expect(() => new WordLevelTokenizer({ words: ['a', 'red circle'] })).toThrow(/'words\[1\]'/);
    expect(() => new WordLevelTokenizer({ words: ['a', 'b', 'a'] })).toThrow(/'words\[2\]'.*id 4/);
    expect(() => new WordLevelTokenizer({ words: [], extraSpecialTokens: ['<pad>'] })).toThrow(/'extraSpecialTokens\[0\]'/);
    expect(() => new WordLevelTokenizer({ words: [], extraSpecialTokens: ['has space'] })).toThrow(/extraSpecialTokens\[0\]/);
    expect(() => new WordLevelTokenizer({ words: [], extraSpecialTokens: ['image'] }).encode('image')).not.toThrow();
    expect(() => new WordLevelTokenizer({ words: ['image'], extraSpecialTokens: ['image'] })).toThrow(/'words\[0\]'/);
  });
});
