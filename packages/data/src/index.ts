/**
 * @reca/data — images from disk for RecA-TS: a folder dataset (PNG, JPEG, WebP via sharp) with optional JSONL
 * captions and deterministic batching, the image → tensor hand-off, and PNG / labelled-grid writing. The tensor
 * transforms (resize, centre crop, Gaussian blur, downscale-upscale, range normalisation) live in @reca/runtime, so
 * recaStep's bottleneck and the data pipeline share one implementation.
 */
export * from './errors/index.js';
export { type RgbImage, assertRgbImage, createBlankRgbImage } from './image/rgb-image.js';
export { imageFileExtensions, isImageFileName } from './image/image-file-extensions.js';
export { isTruncatedImageFile } from './image/detect-truncation.js';
export type { ReadImageOptions, NonRgbPolicy } from './image/read-image-options.js';
export { readImageRgb } from './image/read-image-rgb.js';
export { encodePngRgb } from './image/encode-png-rgb.js';
export { writePngRgb } from './image/write-png-rgb.js';
export { imagesToTensor } from './image/images-to-tensor.js';
export { tensorToImages } from './image/tensor-to-images.js';

export { listImageFiles } from './dataset/list-image-files.js';
export { readCaptionsFile, type CaptionLine } from './dataset/read-captions-file.js';
export { epochOrder, batchIndices, type EpochOrderOptions } from './dataset/batch-order.js';
export type { ImageBatch } from './dataset/image-batch.js';
export type { SkippedImage } from './dataset/skipped-image.js';
export type { ImageFolderDatasetOptions, InvalidImagePolicy } from './dataset/image-folder-dataset-options.js';
export {
  ImageFolderDataset,
  openImageFolder,
  defaultCaptionsFileName,
  type ImageEntry,
  type ImageBatchesOptions,
} from './dataset/image-folder-dataset.js';
export type { ImageGridRow, ImageGridOptions } from './grid/image-grid-options.js';
export { layoutImageGrid, renderImageGrid, type ImageGridLayout } from './grid/render-image-grid.js';
export { writeImageGrid } from './grid/write-image-grid.js';
export { upscaleNearest } from './grid/upscale-nearest.js';
export { VERSION } from './version.js';
