export { MissingFileError } from './missing-file-error.js';
export { ImageDecodeError, type ImageDecodeFailure } from './image-decode-error.js';
export { NonRgbImageError } from './non-rgb-image-error.js';
export { EmptyDatasetError } from './empty-dataset-error.js';
export { CaptionsFileError } from './captions-file-error.js';
