import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ImageGridOptions } from './image-grid-options.js';
import { renderImageGrid } from './render-image-grid.js';

/** Renders an image grid ({@link renderImageGrid}) and writes it as a PNG file, creating its folder when needed. */
export async function writeImageGrid(path: string, options: ImageGridOptions): Promise<void> {
  const png = await renderImageGrid(options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
}
