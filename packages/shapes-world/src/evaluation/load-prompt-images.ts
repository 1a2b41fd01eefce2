import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingFileError, type RgbImage, readImageRgb } from '@reca/data';
import type { PromptRecord } from '../prompts/prompt-record.js';

/**
 * Finds the images of each prompt in `folder`: files named `{id}_{k}.png` (k = 0, 1, …; the DESIGN.md §4 sampling
 * contract), sorted by k.
 *
 * @throws MissingFileError (kind `folder`) when the folder does not exist, or naming `{id}_0.png` for the first
 *   prompt without any image (unless `allowMissing`).
 */
export async function findPromptImageFiles(
  folder: string,
  prompts: readonly PromptRecord[],
  { allowMissing = false }: { allowMissing?: boolean } = {},
): Promise<Map<string, string[]>> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new MissingFileError({ path: folder, kind: 'folder', cause: error });
  }
  const byPrompt = new Map<string, Array<{ k: number; path: string }>>();
  const ids = new Set(prompts.map((prompt) => prompt.id));
  for (const name of names) {
    const match = /^(.*)_(\d+)\.png$/i.exec(name);
    if (!match || !ids.has(match[1] as string)) continue;
    const id = match[1] as string;
    const list = byPrompt.get(id) ?? [];
    list.push({ k: Number(match[2]), path: join(folder, name) });
    byPrompt.set(id, list);
  }
  const result = new Map<string, string[]>();
  for (const prompt of prompts) {
    const files = (byPrompt.get(prompt.id) ?? []).sort((first, second) => first.k - second.k).map((entry) => entry.path);
    if (files.length === 0 && !allowMissing) {
      throw new MissingFileError({ path: join(folder, `${prompt.id}_0.png`), referencedBy: `prompt ${JSON.stringify(prompt.id)}` });
    }
    result.set(prompt.id, files);
  }
  return result;
}

/** Reads the images found by {@link findPromptImageFiles} (RGB; grey/alpha/palette converted). */
export async function loadPromptImages(files: ReadonlyMap<string, readonly string[]>): Promise<Map<string, RgbImage[]>> {
  const result = new Map<string, RgbImage[]>();
  for (const [id, paths] of files) result.set(id, await Promise.all(paths.map((path) => readImageRgb(path))));
  return result;
}
