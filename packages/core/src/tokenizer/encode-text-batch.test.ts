import { InvalidArgumentError } from '@reca/runtime';
import { describe, expect, test } from 'vitest';
import { UnknownWordsError } from '../errors/unknown-words-error.js';
import { encodeTextBatch } from './encode-text-batch.js';
import type { TextTokenizer, TextTokenizerEncodeOptions } from './text-tokenizer.js';
import { WordLevelTokenizer } from './word-level-tokenizer.js';

// Ids: <pad> 0, <bos> 1, <eos> 2, <unk> 3, a 4, blue 5, circle 6, red 7, square 8.
const tokenizer = new WordLevelTokenizer({ words: ['a', 'blue', 'circle', 'red', 'square'] });
const texts = ['a red circle', 'a square', ''];

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('encodeTextBatch', () => {
  test('pads on the right to the longest row by default', () => {
    const batch = tokenizer.encodeBatch(texts);
    expect(batch.shape).toEqual([3, 5]);
    expect(batch.ids).toBeInstanceOf(Int32Array);
    expect(Array.from(batch.ids)).toEqual([1, 4, 7, 6, 2, 1, 4, 8, 2, 0, 1, 2, 0, 0, 0]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0]);
    expect(batch.lengths).toEqual([5, 4, 2]);
    expect(batch.truncated).toEqual([false, false, false]);
  });

  test('pads on the left', () => {
    const batch = tokenizer.encodeBatch(texts, { padding: 'left' });
    expect(Array.from(batch.ids)).toEqual([1, 4, 7, 6, 2, 0, 1, 4, 8, 2, 0, 0, 0, 1, 2]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1]);
  });

  test('maxLength fixes the row length, unless padTo is longest', () => {
    const fixed = tokenizer.encodeBatch(texts, { maxLength: 6 });
    expect(fixed.shape).toEqual([3, 6]);
    expect(Array.from(fixed.ids)).toEqual([1, 4, 7, 6, 2, 0, 1, 4, 8, 2, 0, 0, 1, 2, 0, 0, 0, 0]);
    expect(Array.from(fixed.attentionMask)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0]);
    expect(tokenizer.encodeBatch(texts, { maxLength: 10, padTo: 'longest' }).shape).toEqual([3, 5]);
  });

  test('truncation cuts the text tokens and keeps <bos> and <eos>', () => {
    const batch = tokenizer.encodeBatch(texts, { maxLength: 4, truncation: true });
    expect(batch.shape).toEqual([3, 4]);
    expect(Array.from(batch.ids)).toEqual([1, 4, 7, 2, 1, 4, 8, 2, 1, 2, 0, 0]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(batch.truncated).toEqual([true, false, false]);
    expect(batch.lengths).toEqual([4, 4, 2]);
    // Room for the special tokens only.
    expect(Array.from(tokenizer.encodeBatch(['a red'], { maxLength: 2, truncation: true }).ids)).toEqual([1, 2]);
  });

  test('truncation with left padding and without special tokens', () => {
    const batch = tokenizer.encodeBatch(texts, { maxLength: 2, truncation: true, addSpecialTokens: false, padding: 'left' });
    expect(Array.from(batch.ids)).toEqual([4, 7, 4, 8, 0, 0]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(batch.truncated).toEqual([true, false, false]);
  });

  test('a text longer than maxLength without truncation is an error naming the text', () => {
    const error = captureError(() => tokenizer.encodeBatch(texts, { maxLength: 4 }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("'texts[0]'");
    expect((error as Error).message).toContain('needs 5 tokens');
  });

  test('rejects a maxLength shorter than the special tokens, and invalid options', () => {
    expect(() => tokenizer.encodeBatch(texts, { maxLength: 1, truncation: true })).toThrow(/'maxLength'.*2 special tokens/);
    expect(() => tokenizer.encodeBatch(texts, { maxLength: 0 })).toThrow(/'maxLength'/);
    expect(() => tokenizer.encodeBatch(texts, { maxLength: 2.5 })).toThrow(/'maxLength'/);
    expect(() => tokenizer.encodeBatch(texts, { padTo: 'max-length' })).toThrow(/'padTo'/);
    expect(() => tokenizer.encodeBatch(texts, { padTokenId: -1 })).toThrow(/'padTokenId'/);
  });

  test('the attention mask selects exactly the tokens of encode() for every row', () => {
    const captions = ['a blue square', 'a red circle a blue circle', 'square', 'a a a a a a a'];
    for (const padding of ['right', 'left'] as const) {
      const batch = tokenizer.encodeBatch(captions, { padding, maxLength: 12 });
      const [batchSize, length] = batch.shape;
      for (let row = 0; row < batchSize; row += 1) {
        const kept: number[] = [];
        for (let column = 0; column < length; column += 1) {
          if (batch.attentionMask[row * length + column] === 1) kept.push(batch.ids[row * length + column]);
          else expect(batch.ids[row * length + column]).toBe(0);
        }
        expect(kept).toEqual(tokenizer.encode(captions[row]));
      }
    }
  });

  test('an explicit padTokenId fills the padding', () => {
    const batch = tokenizer.encodeBatch(['a', 'a red'], { padTokenId: 2 });
    expect(Array.from(batch.ids)).toEqual([1, 4, 2, 2, 1, 4, 7, 2]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 0, 1, 1, 1, 1]);
  });

  test('an empty batch has zero rows', () => {
    expect(tokenizer.encodeBatch([]).shape).toEqual([0, 0]);
    const fixed = tokenizer.encodeBatch([], { maxLength: 8 });
    expect(fixed.shape).toEqual([0, 8]);
    expect(fixed.ids.length).toBe(0);
  });

  test('passes onUnknown to the tokenizer', () => {
    expect(() => tokenizer.encodeBatch(['a red circle', 'a green circle'], { onUnknown: 'error' })).toThrow(UnknownWordsError);
    expect(Array.from(tokenizer.encodeBatch(['a green circle']).ids)).toEqual([1, 4, 3, 6, 2]);
  });

  describe('with a tokenizer that has no pad token', () => {
    // A character-level stand-in: each letter is its code minus 96, begin 100, end 101.
    const characterTokenizer: Pick<TextTokenizer, 'encode' | 'padTokenId'> = {
      padTokenId: undefined,
      encode: (text: string, options: TextTokenizerEncodeOptions = {}) => {
        const content = [...text].map((character) => character.charCodeAt(0) - 96);
        return options.addSpecialTokens === false ? content : [100, ...content, 101];
      },
    };

    test('padding needs an explicit padTokenId', () => {
      expect(() => encodeTextBatch(characterTokenizer, ['ab', 'a'])).toThrow(/'padTokenId'.*texts\[1\] needs 1 padding/);
      expect(Array.from(encodeTextBatch(characterTokenizer, ['ab', 'a'], { padTokenId: 0 }).ids)).toEqual([100, 1, 2, 101, 100, 1, 101, 0]);
    });

    test('rows of equal length need no pad token', () => {
      expect(Array.from(encodeTextBatch(characterTokenizer, ['ab', 'cd']).ids)).toEqual([100, 1, 2, 101, 100, 3, 4, 101]);
    });

    test('truncation keeps the special prefix and suffix', () => {
      const batch = encodeTextBatch(characterTokenizer, ['abcdef'], { maxLength: 4, truncation: true });
      expect(Array.from(batch.ids)).toEqual([100, 1, 2, 101]);
    });
  });

  test('falls back to a plain cut when the output with special tokens does not contain the one without', () => {
    // Special tokens change the text tokens (as a prefix space can in byte-level BPE).
    const shifting: Pick<TextTokenizer, 'encode' | 'padTokenId'> = {
      padTokenId: 0,
      encode: (text: string, options: TextTokenizerEncodeOptions = {}) => {
        const content = [...text].map((character) => character.charCodeAt(0) - 96);
        return options.addSpecialTokens === false ? content : [100, ...content.map((value) => value + 50), 101];
      },
    };
    expect(Array.from(encodeTextBatch(shifting, ['abcd'], { maxLength: 3, truncation: true }).ids)).toEqual([100, 51, 52]);
  });
});
