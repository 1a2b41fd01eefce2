import { RecaError } from '@reca/runtime';
import { expect, test } from 'vitest';
import { TokenizerFileError } from './tokenizer-file-error.js';

test('TokenizerFileError names the file and the reason', () => {
  const missing = new TokenizerFileError({ path: '/models/tokenizer.json', reason: 'not-found' });
  expect(missing.name).toBe('RECA_TokenizerFileError');
  expect(missing.message).toBe("Tokenizer file '/models/tokenizer.json' not found");
  expect(missing.path).toBe('/models/tokenizer.json');
  expect(missing.reason).toBe('not-found');
  const cause = new SyntaxError('Unexpected end of JSON input');
  const invalid = new TokenizerFileError({ path: 'a.json', reason: 'invalid-json', detail: cause.message, cause });
  expect(invalid.message).toBe("Tokenizer file 'a.json' is not valid JSON: Unexpected end of JSON input");
  expect(invalid.cause).toBe(cause);
  expect(TokenizerFileError.isInstance(invalid)).toBe(true);
  expect(RecaError.isInstance(invalid)).toBe(true);
  expect(TokenizerFileError.isInstance(new RecaError({ name: 'RECA_Other', message: 'x' }))).toBe(false);
});
