export { resizeImages, type ResizeMethod } from './resize-images.js';
export { centerCropImages } from './center-crop-images.js';
export { gaussianKernel } from './gaussian-kernel.js';
export { gaussianBlurImages } from './gaussian-blur-images.js';
export { downscaleUpscaleImages } from './downscale-upscale-images.js';
export { scaleImageRange, type ValueRange } from './scale-image-range.js';
export { standardizeImages } from './standardize-images.js';
