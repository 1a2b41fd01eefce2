import { describe, expect, it } from 'vitest';
import { patternImage } from '../__fixtures__/test-images.js';
import { encodePngRgb } from './encode-png-rgb.js';
import { isTruncatedImageFile } from './detect-truncation.js';

describe('isTruncatedImageFile', () => {
  it('accepts a whole PNG and flags every shorter prefix', async () => {
    const png = await encodePngRgb(patternImage(8, 8).data, 8, 8);
    expect(isTruncatedImageFile(png)).toBe(false);
    for (const length of [9, 30, png.length - 1, png.length - 5]) expect(isTruncatedImageFile(png.subarray(0, length))).toBe(true);
  });

  it('checks the JPEG end marker and the WebP RIFF length', () => {
    expect(isTruncatedImageFile(new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]))).toBe(false);
    expect(isTruncatedImageFile(new Uint8Array([0xff, 0xd8, 1, 2, 3]))).toBe(true);
    const riff = new Uint8Array(30);
    riff.set([0x52, 0x49, 0x46, 0x46, 22, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]);
    expect(isTruncatedImageFile(riff)).toBe(false);
    expect(isTruncatedImageFile(riff.subarray(0, 29))).toBe(true);
  });

  it('says nothing about files of other formats', () => {
    expect(isTruncatedImageFile(new TextEncoder().encode('hello'))).toBe(false);
  });
});
