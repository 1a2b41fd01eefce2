import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodePngRgb } from './encode-png-rgb.js';

/**
 * Writes 8-bit RGB pixels to a lossless PNG file, creating its folder when needed. Reading it back with
 * `readImageRgb` gives the same bytes.
 *
 * @param path - where to write the `.png` file.
 * @param data - uint8 [height, width, 3], row-major.
 */
export async function writePngRgb(path: string, data: Uint8Array, width: number, height: number): Promise<void> {
  const png = await encodePngRgb(data, width, height);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
}
