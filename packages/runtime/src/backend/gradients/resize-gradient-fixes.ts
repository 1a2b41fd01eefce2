import { tf } from '../../tf.js';
import type { GradientFix } from './gradient-fix.js';
import { bilinearInterpolationMatrix, nearestInterpolationMatrix } from './resize-interpolation-matrix.js';

type MatrixBuilder = (inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean) => Float32Array;

/**
 * Gradient of a separable resize: `dImage[b, :, :, c] = rowsᵀ · dy[b, :, :, c] · columns`, as two matMuls, so it
 * runs on the fast matmul kernels of every backend.
 * @param dy - float32 [batch, outHeight, outWidth, channels].
 * @param imageShape - [batch, inHeight, inWidth, channels].
 * @returns float32 `imageShape`; owned by the gradient machinery that calls it.
 */
function separableResizeGradient(
  dy: tf.Tensor,
  imageShape: readonly number[],
  attrs: tf.ResizeBilinearAttrs,
  buildMatrix: MatrixBuilder,
): tf.Tensor {
  const [batch, inHeight, inWidth, channels] = imageShape as [number, number, number, number];
  const [outHeight, outWidth] = attrs.size;
  const rows = tf.tensor2d(buildMatrix(inHeight, outHeight, attrs.alignCorners, attrs.halfPixelCenters), [outHeight, inHeight]);
  const columns = tf.tensor2d(buildMatrix(inWidth, outWidth, attrs.alignCorners, attrs.halfPixelCenters), [outWidth, inWidth]);
  // Columns act on the width: move it last, multiply, then do the same for the height.
  const widthLast = tf.transpose(dy, [0, 1, 3, 2]); // [batch, outHeight, channels, outWidth]
  const alongWidth = tf.matMul(tf.reshape(widthLast, [-1, outWidth]) as tf.Tensor2D, columns); // [batch·outHeight·channels, inWidth]
  const heightLast = tf.transpose(tf.reshape(alongWidth, [batch, outHeight, channels, inWidth]), [0, 3, 2, 1]); // [batch, inWidth, channels, outHeight]
  const alongHeight = tf.matMul(tf.reshape(heightLast, [-1, outHeight]) as tf.Tensor2D, rows); // [batch·inWidth·channels, inHeight]
  return tf.transpose(tf.reshape(alongHeight, [batch, inWidth, channels, inHeight]), [0, 3, 1, 2]);
}

/**
 * tfjs 4.22's ResizeBilinearGrad ignores `halfPixelCenters` on every backend (cpu, wasm, webgpu) and, on cpu, swaps
 * height and width for non-square images. This gradient is the exact transpose of the forward interpolation.
 */
export const resizeBilinearGradientFix: GradientFix = {
  id: 'gradient:ResizeBilinear',
  description: 'stock ResizeBilinearGrad ignores halfPixelCenters (all backends) and breaks non-square images on cpu.',
  config: {
    kernelName: 'ResizeBilinear',
    inputsToSave: ['images'],
    gradFunc: (dy, saved, attrs) => {
      const [images] = saved as [tf.Tensor];
      const resizeAttrs = attrs as unknown as tf.ResizeBilinearAttrs;
      return { images: () => separableResizeGradient(dy as tf.Tensor, images.shape, resizeAttrs, bilinearInterpolationMatrix) };
    },
  },
};

/** Nearest-neighbour resize gradient as the transpose of the forward selection (the stock cpu gradient is wrong). */
export const resizeNearestNeighborGradientFix: GradientFix = {
  id: 'gradient:ResizeNearestNeighbor',
  description: 'stock cpu ResizeNearestNeighborGrad disagrees with its forward for non-integer scales.',
  config: {
    kernelName: 'ResizeNearestNeighbor',
    inputsToSave: ['images'],
    gradFunc: (dy, saved, attrs) => {
      const [images] = saved as [tf.Tensor];
      const resizeAttrs = attrs as unknown as tf.ResizeBilinearAttrs;
      return { images: () => separableResizeGradient(dy as tf.Tensor, images.shape, resizeAttrs, nearestInterpolationMatrix) };
    },
  },
};
