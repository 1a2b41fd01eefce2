import { InvalidArgumentError } from '@reca/runtime';

/**
 * An 8-bit RGB image in memory: row-major, interleaved, no padding. Pixel (x, y) has its red value at
 * `data[(y * width + x) * 3]`, green at `+ 1`, blue at `+ 2`.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** uint8 [height, width, 3], length `width * height * 3`. */
  readonly data: Uint8Array;
}

/**
 * Checks that `data` holds exactly `width * height * 3` bytes and the sizes are positive integers.
 *
 * @param argument - the argument name used in the error message.
 * @throws InvalidArgumentError naming `argument`, with the expected and actual length.
 */
export function assertRgbImage(image: RgbImage, argument = 'image'): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidArgumentError({ argument, message: `width and height must be positive integers, got ${width}×${height}` });
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new InvalidArgumentError({
      argument,
      message: `data must be a Uint8Array of width × height × 3 = ${width * height * 3} bytes, got ${
        data instanceof Uint8Array ? data.length : typeof data
      }`,
    });
  }
}

/** A black (all-zero) RGB image of the given size. */
export function createBlankRgbImage(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3) };
}
