import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTemporaryFolder, patternImage, writeTestImage } from '../__fixtures__/test-images.js';
import { ImageDecodeError } from '../errors/image-decode-error.js';
import { MissingFileError } from '../errors/missing-file-error.js';
import { NonRgbImageError } from '../errors/non-rgb-image-error.js';
import { readImageRgb } from './read-image-rgb.js';

let folder: string;
const image = patternImage(20, 12);

beforeAll(async () => {
  folder = await makeTemporaryFolder();
});

describe('readImageRgb', () => {
  it('reads a PNG back byte for byte', async () => {
    const path = join(folder, 'pattern.png');
    await writeTestImage(path, image, 'png');
    const read = await readImageRgb(path);
    expect([read.width, read.height]).toEqual([20, 12]);
    expect(Buffer.from(read.data).equals(Buffer.from(image.data))).toBe(true);
  });

  it('reads lossless WebP exactly and JPEG approximately', async () => {
    const webpPath = join(folder, 'pattern.webp');
    await writeTestImage(webpPath, image, 'webp');
    expect(Buffer.from((await readImageRgb(webpPath)).data).equals(Buffer.from(image.data))).toBe(true);
    const flat = { width: 16, height: 16, data: new Uint8Array(16 * 16 * 3).fill(200) };
    const jpegPath = join(folder, 'flat.jpg');
    await writeTestImage(jpegPath, flat, 'jpeg');
    const jpeg = await readImageRgb(jpegPath);
    expect(jpeg.data.length).toBe(16 * 16 * 3);
    expect(Math.max(...Array.from(jpeg.data, (value) => Math.abs(value - 200)))).toBeLessThanOrEqual(2);
  });

  it('resizes with cover + centre crop when asked', async () => {
    const path = join(folder, 'wide.png');
    // 40×20: left half red, right half blue → after cover-resize to 10×10 the centre crop is half red, half blue.
    const wide = { width: 40, height: 20, data: new Uint8Array(40 * 20 * 3) };
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) wide.data[(y * 40 + x) * 3 + (x < 20 ? 0 : 2)] = 255;
    await writeTestImage(path, wide);
    const read = await readImageRgb(path, { resize: { width: 10, height: 10 } });
    expect([read.width, read.height]).toEqual([10, 10]);
    expect(read.data[(5 * 10 + 1) * 3]).toBeGreaterThan(240); // left side red
    expect(read.data[(5 * 10 + 8) * 3 + 2]).toBeGreaterThan(240); // right side blue
  });

  it('converts greyscale by copying the grey value into R, G and B, or rejects it under nonRgb: error', async () => {
    const grey = Buffer.from(Array.from({ length: 8 * 4 }, (_, index) => index * 7));
    const path = join(folder, 'grey.png');
    await sharp(grey, { raw: { width: 8, height: 4, channels: 1 } }).toColourspace('b-w').png().toFile(path);
    expect((await sharp(path).metadata()).channels).toBe(1);
    const read = await readImageRgb(path);
    for (let pixel = 0; pixel < 32; pixel++) {
      expect([read.data[pixel * 3], read.data[pixel * 3 + 1], read.data[pixel * 3 + 2]]).toEqual([pixel * 7, pixel * 7, pixel * 7]);
    }
    const error = await readImageRgb(path, { nonRgb: 'error' }).catch((caught: unknown) => caught);
    expect(NonRgbImageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('greyscale');
  });

  it('composites alpha over the background (black by default), or rejects it', async () => {
    // One opaque red pixel, one half-transparent green pixel, one fully transparent blue pixel.
    const rgba = Buffer.from([255, 0, 0, 255, 0, 200, 0, 128, 0, 0, 255, 0]);
    const path = join(folder, 'alpha.png');
    await sharp(rgba, { raw: { width: 3, height: 1, channels: 4 } }).png().toFile(path);
    const onBlack = await readImageRgb(path);
    expect(Array.from(onBlack.data)).toEqual([255, 0, 0, 0, 100, 0, 0, 0, 0]);
    const onWhite = await readImageRgb(path, { alphaBackground: [255, 255, 255] });
    expect(Array.from(onWhite.data.subarray(0, 3))).toEqual([255, 0, 0]);
    expect(Array.from(onWhite.data.subarray(6, 9))).toEqual([255, 255, 255]);
    expect(Math.abs((onWhite.data[3] as number) - 127)).toBeLessThanOrEqual(1);
    const error = await readImageRgb(path, { nonRgb: 'error' }).catch((caught: unknown) => caught);
    expect(NonRgbImageError.isInstance(error) && error.layout).toBe('RGB with alpha (4 channels)');
  });

  it('expands a palette PNG to the same RGB values, or rejects it', async () => {
    const path = join(folder, 'palette.png');
    const blocks = { width: 4, height: 1, data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0]) };
    await sharp(Buffer.from(blocks.data), { raw: { width: 4, height: 1, channels: 3 } }).png({ palette: true, colours: 4, dither: 0 }).toFile(path);
    expect((await sharp(path).metadata()).isPalette).toBe(true);
    expect(Array.from((await readImageRgb(path)).data)).toEqual(Array.from(blocks.data));
    const error = await readImageRgb(path, { nonRgb: 'error' }).catch((caught: unknown) => caught);
    expect(NonRgbImageError.isInstance(error) && error.layout).toBe('palette-based');
  });

  it('names the file of a missing, unreadable or truncated image', async () => {
    const missing = join(folder, 'nope.png');
    const missingError = await readImageRgb(missing).catch((caught: unknown) => caught);
    expect(MissingFileError.isInstance(missingError) && missingError.path).toBe(missing);

    const text = join(folder, 'text.png');
    await writeFile(text, 'this is not an image');
    const textError = await readImageRgb(text).catch((caught: unknown) => caught);
    expect(ImageDecodeError.isInstance(textError) && textError.failure).toBe('unsupported-format');
    expect((textError as Error).message).toContain(text);

    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const whole = await writeTestImage(join(folder, `whole.${format}`), patternImage(24, 24, 3), format);
      const cut = join(folder, `cut.${format}`);
      await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
      const error = await readImageRgb(cut).catch((caught: unknown) => caught);
      expect(ImageDecodeError.isInstance(error), format).toBe(true);
      expect((error as ImageDecodeError).failure, format).toBe('truncated');
      expect((error as Error).message).toContain(cut);
    }
  });

  it('reports a damaged (not truncated) PNG as corrupt', async () => {
    const whole = await writeTestImage(join(folder, 'good.png'), patternImage(24, 24, 5), 'png');
    const damaged = Buffer.from(whole);
    for (let index = 40; index < damaged.length - 20; index++) damaged[index] = (damaged[index] as number) ^ 0x5a;
    const path = join(folder, 'damaged.png');
    await writeFile(path, damaged);
    const error = await readImageRgb(path).catch((caught: unknown) => caught);
    expect(ImageDecodeError.isInstance(error) && error.failure).toBe('corrupt');
  });
});
