import { describe, expect, test } from 'vitest';
import { splitWords } from './split-words.js';

describe('splitWords', () => {
  test('lowercases and splits on whitespace, keeping punctuation as tokens', () => {
    expect(splitWords('A red circle, left of a Blue square.')).toEqual([
      'a', 'red', 'circle', ',', 'left', 'of', 'a', 'blue', 'square', '.',
    ]);
  });

  test('each punctuation character is its own token; digits and underscores stay in words', () => {
    expect(splitWords("it's 3 t-shirts...\n(ok)_x2")).toEqual([
      'it', "'", 's', '3', 't', '-', 'shirts', '.', '.', '.', '(', 'ok', ')', '_x2',
    ]);
  });

  test('keeps non-ASCII letters in words', () => {
    expect(splitWords('Éclair café')).toEqual(['éclair', 'café']);
  });

  test('gives no tokens for empty or whitespace-only text', () => {
    expect(splitWords('')).toEqual([]);
    expect(splitWords(' \t\n ')).toEqual([]);
  });
});
