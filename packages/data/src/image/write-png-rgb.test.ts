import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeTemporaryFolder, patternImage } from '../__fixtures__/test-images.js';
import { encodePngRgb } from './encode-png-rgb.js';
import { readImageRgb } from './read-image-rgb.js';
import { writePngRgb } from './write-png-rgb.js';

describe('writePngRgb / encodePngRgb', () => {
  it('writes a 3-channel PNG into a new folder that reads back byte for byte', async () => {
    const folder = await makeTemporaryFolder();
    const image = patternImage(33, 17, 9);
    const path = join(folder, 'deep', 'er', 'out.png');
    await writePngRgb(path, image.data, image.width, image.height);
    const bytes = await readFile(path);
    expect(Array.from(bytes.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    const metadata = await sharp(bytes).metadata();
    expect([metadata.channels, metadata.hasAlpha, metadata.isPalette]).toEqual([3, false, false]);
    expect(Buffer.from((await readImageRgb(path)).data).equals(Buffer.from(image.data))).toBe(true);
  });

  it('rejects data of the wrong length, naming the sizes', async () => {
    await expect(encodePngRgb(new Uint8Array(10), 2, 2)).rejects.toThrow(/2 × 2|width × height × 3 = 12 bytes, got 10/);
  });
});
