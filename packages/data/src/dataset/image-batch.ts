import type { RgbImage } from '../image/rgb-image.js';

/** One batch of a dataset: images with their files, captions and dataset indices, in batch order. */
export interface ImageBatch {
  readonly images: readonly RgbImage[];
  /** Image paths relative to the dataset folder. */
  readonly files: readonly string[];
  /** The caption of each image, `undefined` where the captions file has none. */
  readonly captions: ReadonlyArray<string | undefined>;
  /** Index of each image in `dataset.entries`. */
  readonly indices: readonly number[];
}
