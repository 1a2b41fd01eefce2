/**
 * What to do with an image that is not plain RGB: greyscale, with an alpha channel, palette-based, 16-bit, or in
 * another colour space (CMYK, Lab…).
 *
 * - `'convert'`: convert it to 8-bit sRGB. Greyscale is copied into R, G and B; a palette is expanded; alpha is
 *   composited over {@link ReadImageOptions.alphaBackground}; other colour spaces are converted to sRGB; 16-bit
 *   samples are scaled to 8 bits. Nothing is reported.
 * - `'error'`: throw `NonRgbImageError` naming the file and its layout (16-bit RGB without alpha is still accepted
 *   and scaled to 8 bits: it is RGB).
 */
export type NonRgbPolicy = 'convert' | 'error';

/** Options of `readImageRgb`. */
export interface ReadImageOptions {
  /**
   * What to do with greyscale, alpha, palette and non-sRGB images.
   * @default 'convert'
   */
  nonRgb?: NonRgbPolicy;
  /**
   * Background that transparent pixels are composited over when `nonRgb` is `'convert'`, RGB 0–255.
   * @default [0, 0, 0] (black, the ShapesWorld background)
   */
  alphaBackground?: readonly [number, number, number];
  /**
   * Resize on load: scale so the image covers `width × height` (keeping its aspect ratio, Lanczos-3 when shrinking),
   * then centre-crop to exactly that size. `undefined` keeps the file's own size.
   * @default undefined
   */
  resize?: { readonly width: number; readonly height: number };
}
