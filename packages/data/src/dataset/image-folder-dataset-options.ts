import type { NonRgbPolicy } from '../image/read-image-options.js';

/** What a dataset does with an image it cannot use (missing, undecodable, truncated, or non-RGB under `nonRgb: 'error'`). */
export type InvalidImagePolicy = 'error' | 'skip';

/** Options of {@link openImageFolder}. */
export interface ImageFolderDatasetOptions {
  /**
   * The JSONL captions file (`{"file", "caption"}` per line), relative to the folder or absolute. `undefined` uses
   * `captions.jsonl` in the folder when it exists (captions are optional: RecA needs none); `false` reads no captions.
   * A file named here must exist.
   * @default undefined
   */
  captionsFile?: string | false;
  /** Also read images in sub-folders. @default false */
  recursive?: boolean;
  /**
   * Resize every image on load to cover `imageSize` (aspect ratio kept) and centre-crop it to exactly that size, so
   * batches stack into one tensor. A number means a square. `undefined` keeps each file's size.
   * @default undefined
   */
  imageSize?: number | { readonly width: number; readonly height: number };
  /** Greyscale/alpha/palette/non-sRGB images: convert to RGB, or treat as invalid. @default 'convert' */
  nonRgb?: NonRgbPolicy;
  /** Background for transparent pixels when converting, RGB 0–255. @default [0, 0, 0] */
  alphaBackground?: readonly [number, number, number];
  /**
   * `'error'` throws on the first invalid image (the error names the file); `'skip'` leaves it out, records it in
   * `dataset.skipped` and goes on (a batch is filled from the next images in the epoch's order).
   * @default 'error'
   */
  onInvalidImage?: InvalidImagePolicy;
}
