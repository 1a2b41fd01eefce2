import { RecaError } from '@reca/runtime';
import { expect, test } from 'vitest';
import { UnknownWordsError } from './unknown-words-error.js';

test('UnknownWordsError names the words and the text, and is recognised by its marker', () => {
  const error = new UnknownWordsError({ unknownWords: ['purple', 'hexagon'], text: 'a purple hexagon' });
  expect(error.name).toBe('RECA_UnknownWordsError');
  expect(error.message).toBe('unknown words "purple", "hexagon" in text "a purple hexagon" (not in the tokenizer vocabulary)');
  expect(UnknownWordsError.isInstance(error)).toBe(true);
  expect(RecaError.isInstance(error)).toBe(true);
  expect(UnknownWordsError.isInstance(new Error('unknown words'))).toBe(false);
  const single = new UnknownWordsError({ unknownWords: ['zz'], text: 'zz', context: 'prompt 3' });
  expect(single.message).toBe('prompt 3: unknown word "zz" in text "zz" (not in the tokenizer vocabulary)');
});

test('UnknownWordsError shortens a long text in the message but keeps all of it', () => {
  const text = 'word '.repeat(100);
  const error = new UnknownWordsError({ unknownWords: ['word'], text });
  expect(error.text).toBe(text);
  expect(error.message).toContain(`${JSON.stringify(text.slice(0, 200)).slice(0, -1)}…"`);
  expect(error.message.length).toBeLessThan(300);
});
