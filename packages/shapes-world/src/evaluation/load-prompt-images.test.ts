import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingFileError, writePngRgb } from '@reca/data';
import { describe, expect, it } from 'vitest';
import { generatePrompts } from '../prompts/generate-prompts.js';
import { findPromptImageFiles, loadPromptImages } from './load-prompt-images.js';

describe('findPromptImageFiles / loadPromptImages', () => {
  it('finds {id}_{k}.png sorted by k and names the first prompt without images', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'eval-'));
    const prompts = generatePrompts({ perCategory: 1 }).slice(0, 2);
    const [first, second] = prompts as [(typeof prompts)[number], (typeof prompts)[number]];
    const pixel = new Uint8Array([255, 0, 0]);
    for (const k of [10, 2, 0]) await writePngRgb(join(folder, `${first.id}_${k}.png`), pixel, 1, 1);
    await writePngRgb(join(folder, `unrelated_0.png`), pixel, 1, 1);
    const error = await findPromptImageFiles(folder, prompts).catch((caught: unknown) => caught);
    expect(MissingFileError.isInstance(error) && error.path).toBe(join(folder, `${second.id}_0.png`));
    const files = await findPromptImageFiles(folder, prompts, { allowMissing: true });
    expect(files.get(first.id)).toEqual([0, 2, 10].map((k) => join(folder, `${first.id}_${k}.png`)));
    expect(files.get(second.id)).toEqual([]);
    const images = await loadPromptImages(files);
    expect(images.get(first.id)?.map((image) => Array.from(image.data))).toEqual([[255, 0, 0], [255, 0, 0], [255, 0, 0]]);
    const missingFolder = await findPromptImageFiles(join(folder, 'nope'), prompts).catch((caught: unknown) => caught);
    expect(MissingFileError.isInstance(missingFolder) && missingFolder.kind).toBe('folder');
  });
});
