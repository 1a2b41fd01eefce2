import { readFile } from 'node:fs/promises';
import { TokenizerFileError } from '../errors/tokenizer-file-error.js';

/**
 * Reads and parses a JSON file.
 *
 * @param path - the file to read
 * @returns the parsed value
 * @throws TokenizerFileError naming the path: `not-found` when there is no file, `unreadable` when reading fails,
 * `invalid-json` when the text is not JSON
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error != null && typeof error === 'object' && 'code' in error ? error.code : undefined;
    throw new TokenizerFileError({
      path,
      reason: code === 'ENOENT' ? 'not-found' : 'unreadable',
      detail: code === 'ENOENT' ? undefined : error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TokenizerFileError({
      path,
      reason: 'invalid-json',
      detail: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
}
