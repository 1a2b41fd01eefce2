import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../image/rgb-image.js';

/** A fresh temporary folder for one test. */
export function makeTemporaryFolder(prefix = 'reca-data-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A deterministic RGB test pattern: each byte depends on x, y, channel and `salt`. */
export function patternImage(width: number, height: number, salt = 0): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let channel = 0; channel < 3; channel++) {
        data[(y * width + x) * 3 + channel] = (x * 37 + y * 11 + channel * 85 + salt * 29) % 256;
      }
    }
  }
  return { width, height, data };
}

/** Encodes `image` in `format` (PNG lossless; JPEG/WebP at quality 100, still lossy) and writes it to `path`. */
export async function writeTestImage(path: string, image: RgbImage, format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<Buffer> {
  const pipeline = sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } });
  const bytes =
    format === 'png'
      ? await pipeline.png().toBuffer()
      : format === 'jpeg'
        ? await pipeline.jpeg({ quality: 100 }).toBuffer()
        : await pipeline.webp({ lossless: true }).toBuffer();
  await writeFile(path, bytes);
  return bytes;
}
