import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTemporaryFolder } from '../__fixtures__/test-images.js';
import { CaptionsFileError } from '../errors/captions-file-error.js';
import { MissingFileError } from '../errors/missing-file-error.js';
import { readCaptionsFile } from './read-captions-file.js';

async function captionsError(text: string): Promise<CaptionsFileError> {
  const folder = await makeTemporaryFolder();
  const path = join(folder, 'captions.jsonl');
  await writeFile(path, text);
  const error = await readCaptionsFile(path).catch((caught: unknown) => caught);
  if (!CaptionsFileError.isInstance(error)) throw new Error(`expected a CaptionsFileError, got ${String(error)}`);
  return error;
}

describe('readCaptionsFile', () => {
  it('reads file/caption pairs, normalising paths and skipping blank lines', async () => {
    const folder = await makeTemporaryFolder();
    const path = join(folder, 'captions.jsonl');
    await writeFile(path, '{"file": "./a.png", "caption": "a red circle"}\n\n{"file": "sub/b.jpg", "caption": "", "extra": 1}\n');
    expect(await readCaptionsFile(path)).toEqual([
      { file: 'a.png', caption: 'a red circle', line: 1 },
      { file: 'sub/b.jpg', caption: '', line: 3 },
    ]);
  });

  it('names the line of each kind of bad entry', async () => {
    expect((await captionsError('{"file": "a.png", "caption": "x"}\n{oops')).line).toBe(2);
    expect((await captionsError('[1, 2]')).message).toContain('expected an object');
    expect((await captionsError('{"file": 3, "caption": "x"}')).message).toContain('"file" must be a non-empty string');
    expect((await captionsError('{"file": "a.png"}')).message).toContain('"caption" must be a string');
    expect((await captionsError('{"file": "../a.png", "caption": "x"}')).message).toContain('relative to the dataset folder');
    const duplicate = await captionsError('{"file": "a.png", "caption": "x"}\n{"file": "./a.png", "caption": "y"}');
    expect(duplicate.message).toMatch(/line 2: "file" "\.\/a\.png" already has a caption on line 1/);
  });

  it('throws MissingFileError for a missing captions file', async () => {
    const error = await readCaptionsFile('/no/such/captions.jsonl').catch((caught: unknown) => caught);
    expect(MissingFileError.isInstance(error)).toBe(true);
  });
});
