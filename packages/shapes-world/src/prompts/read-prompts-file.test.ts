import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShapesFileError } from '../errors/shapes-file-error.js';
import { formatPromptsJsonl } from './format-prompts-jsonl.js';
import { generatePrompts } from './generate-prompts.js';
import { readPromptsFile } from './read-prompts-file.js';

async function write(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'prompts-')), 'prompts.jsonl');
  await writeFile(path, text);
  return path;
}

async function failure(text: string): Promise<ShapesFileError> {
  const error = await readPromptsFile(await write(text)).catch((caught: unknown) => caught);
  if (!ShapesFileError.isInstance(error)) throw new Error(`expected ShapesFileError, got ${String(error)}`);
  return error;
}

describe('readPromptsFile', () => {
  it('reads back what formatPromptsJsonl writes', async () => {
    const prompts = generatePrompts({ perCategory: 5, split: 'heldout' });
    expect(await readPromptsFile(await write(formatPromptsJsonl(prompts)))).toEqual(prompts);
  });

  it('derives category and requirements from the prompt when a line has only id and prompt', async () => {
    const [record] = await readPromptsFile(await write('{"id": "x", "prompt": "two squares"}\n'));
    expect(record).toEqual({ id: 'x', prompt: 'two squares', category: 'counting', include: [{ shape: 'square', count: 2 }], exclude: [{ shape: 'square', count: 3 }] });
  });

  it('names the line and the problem', async () => {
    expect((await failure('{"id": "a", "prompt": "a circle"}\n{"id": "b", "prompt": "a purple circle"}')).message).toMatch(/line 2: unknown word "purple"/);
    expect((await failure('{"id": "a", "prompt": "a circle"}\n{"id": "a", "prompt": "a square"}')).message).toMatch(/line 2: id "a" already used on line 1/);
    expect((await failure('{"id": "a", "prompt": "a circle", "category": "colors"}')).message).toMatch(/is a single_object prompt/);
    expect((await failure('{"id": "a", "prompt": "a circle", "category": "animals"}')).message).toMatch(/unknown category "animals"/);
    expect((await failure('{"prompt": "a circle"}')).message).toMatch(/"id" must be a non-empty string/);
    expect((await failure('not json')).message).toMatch(/line 1: not valid JSON/);
    expect((await failure('{"id": "a", "prompt": "a circle", "include": [{"shape": "hexagon", "count": 1}]}')).message).toMatch(/include\[0\]\.shape "hexagon"/);
    expect((await failure('{"id": "a", "prompt": "a red circle left of a blue square", "include": [{"count": 1, "position": {"relation": "near", "target": 1}}, {"count": 1}]}')).message).toMatch(/relation must be one of/);
  });
});
