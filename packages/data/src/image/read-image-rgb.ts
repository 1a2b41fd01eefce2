import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@reca/runtime';
import sharp, { type Metadata } from 'sharp';
import { ImageDecodeError } from '../errors/image-decode-error.js';
import { MissingFileError } from '../errors/missing-file-error.js';
import { NonRgbImageError } from '../errors/non-rgb-image-error.js';
import { isTruncatedImageFile } from './detect-truncation.js';
import type { ReadImageOptions } from './read-image-options.js';
import type { RgbImage } from './rgb-image.js';

/** Returns a description of why `metadata` is not plain RGB, or `undefined` when it is. */
function describeNonRgbLayout(metadata: Metadata): string | undefined {
  if (metadata.isPalette) return 'palette-based';
  if (metadata.channels === 1 || metadata.space === 'b-w' || metadata.space === 'grey16') {
    return `greyscale (${metadata.channels} channel${metadata.channels === 1 ? '' : 's'})`;
  }
  if (metadata.channels === 2) return 'greyscale with alpha (2 channels)';
  if (metadata.space === 'cmyk') return `CMYK (${metadata.channels} channels)`;
  if (metadata.hasAlpha) return `RGB with alpha (${metadata.channels} channels)`;
  if (metadata.space !== 'srgb' && metadata.space !== 'rgb16' && metadata.space !== 'rgb') {
    return `in colour space '${metadata.space}'`;
  }
  if (metadata.channels !== 3) return `${metadata.channels}-channel`;
  return undefined;
}

function decodeFailure(bytes: Uint8Array, message: string): ImageDecodeError['failure'] {
  if (/unsupported image format/i.test(message)) return 'unsupported-format';
  if (isTruncatedImageFile(bytes) || /premature end|truncat/i.test(message)) return 'truncated';
  return 'corrupt';
}

/**
 * Decodes a PNG, JPEG or WebP file (any format libvips reads) into 8-bit RGB.
 *
 * Invalid pixel data is never decoded silently: libvips runs with `failOn: 'warning'`, and a truncated or damaged
 * file becomes an {@link ImageDecodeError} naming the file.
 *
 * @param path - the image file.
 * @returns uint8 RGB pixels, `[height, width, 3]` row-major (see {@link RgbImage}).
 * @throws MissingFileError when the file does not exist; ImageDecodeError when it cannot be decoded;
 *   NonRgbImageError when it is not RGB and `options.nonRgb` is `'error'`.
 */
export async function readImageRgb(path: string, options: ReadImageOptions = {}): Promise<RgbImage> {
  const { nonRgb = 'convert', alphaBackground = [0, 0, 0], resize } = options;
  if (nonRgb !== 'convert' && nonRgb !== 'error') {
    throw new InvalidArgumentError({ argument: 'options.nonRgb', message: `must be 'convert' or 'error', got ${String(nonRgb)}` });
  }
  if (resize && !(Number.isInteger(resize.width) && Number.isInteger(resize.height) && resize.width > 0 && resize.height > 0)) {
    throw new InvalidArgumentError({
      argument: 'options.resize',
      message: `width and height must be positive integers, got ${resize.width}×${resize.height}`,
    });
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingFileError({ path, cause: error });
    throw new ImageDecodeError({ path, failure: 'corrupt', detail: (error as Error).message, cause: error });
  }
  try {
    const metadata = await sharp(bytes, { failOn: 'warning' }).metadata();
    const layout = describeNonRgbLayout(metadata);
    if (layout !== undefined && nonRgb === 'error') throw new NonRgbImageError({ path, layout });
    let pipeline = sharp(bytes, { failOn: 'warning' });
    if (metadata.hasAlpha) {
      const [red, green, blue] = alphaBackground;
      pipeline = pipeline.flatten({ background: { r: red, g: green, b: blue } });
    }
    pipeline = pipeline.toColourspace('srgb').removeAlpha();
    if (resize) pipeline = pipeline.resize(resize.width, resize.height, { fit: 'cover', position: 'centre' });
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new ImageDecodeError({ path, failure: 'corrupt', detail: `decoded to ${info.channels} channels, expected 3` });
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    if (NonRgbImageError.isInstance(error) || ImageDecodeError.isInstance(error)) throw error;
    const message = (error as Error).message ?? String(error);
    throw new ImageDecodeError({ path, failure: decodeFailure(bytes, message), detail: message, cause: error });
  }
}
