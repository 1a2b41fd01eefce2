import sharp from 'sharp';
import { assertRgbImage } from './rgb-image.js';

/**
 * Encodes 8-bit RGB pixels as a lossless PNG (no alpha, no palette, so every pixel value is kept exactly).
 *
 * @param data - uint8 [height, width, 3], row-major.
 * @returns the PNG file bytes.
 */
export async function encodePngRgb(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  assertRgbImage({ width, height, data }, 'data');
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.length), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6, palette: false })
    .toBuffer();
}
