import { tf } from '../../tf.js';
import type { KernelFix } from './kernel-fix.js';
import { asWasmBackend, readWasmValues, writeWasmOutput, type KernelParameters } from './wasm-kernel-io.js';

/**
 * Visits every (output position, filter tap) pair of a depthwise convolution (NHWC, filter
 * [filterHeight, filterWidth, inChannels, channelMultiplier], output channel = inChannel · multiplier + m) whose input
 * position lies inside the image, passing the flat offsets of the input pixel, the filter tap and the output pixel.
 */
function forEachDepthwiseTap(
  info: tf.backend_util.Conv2DInfo,
  visit: (xBase: number, filterBase: number, dyBase: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top: padTop, left: padLeft } = info.padInfo;
  for (let batch = 0; batch < batchSize; batch++) {
    for (let outRow = 0; outRow < outHeight; outRow++) {
      for (let outColumn = 0; outColumn < outWidth; outColumn++) {
        const dyBase = ((batch * outHeight + outRow) * outWidth + outColumn) * outChannels;
        for (let filterRow = 0; filterRow < filterHeight; filterRow++) {
          const inRow = outRow * strideHeight + filterRow * dilationHeight - padTop;
          if (inRow < 0 || inRow >= inHeight) continue;
          for (let filterColumn = 0; filterColumn < filterWidth; filterColumn++) {
            const inColumn = outColumn * strideWidth + filterColumn * dilationWidth - padLeft;
            if (inColumn < 0 || inColumn >= inWidth) continue;
            const xBase = ((batch * inHeight + inRow) * inWidth + inColumn) * inChannels;
            visit(xBase, (filterRow * filterWidth + filterColumn) * outChannels, dyBase);
          }
        }
      }
    }
  }
}

/**
 * Gradient of a depthwise convolution w.r.t. its filter.
 * @returns float64 [filterHeight, filterWidth, inChannels, channelMultiplier].
 */
export function depthwiseConv2dBackpropFilterValues(
  x: Float32Array | Int32Array,
  dy: Float32Array | Int32Array,
  info: tf.backend_util.Conv2DInfo,
): Float64Array {
  const { inChannels, outChannels, filterHeight, filterWidth } = info;
  const multiplier = outChannels / inChannels;
  const dFilter = new Float64Array(filterHeight * filterWidth * outChannels);
  forEachDepthwiseTap(info, (xBase, filterBase, dyBase) => {
    for (let inChannel = 0; inChannel < inChannels; inChannel++) {
      const xValue = x[xBase + inChannel] as number;
      for (let m = 0; m < multiplier; m++) {
        const channel = inChannel * multiplier + m;
        dFilter[filterBase + channel] += xValue * (dy[dyBase + channel] as number);
      }
    }
  });
  return dFilter;
}

/**
 * Gradient of a depthwise convolution w.r.t. its input.
 * @returns float64 [batch, inHeight, inWidth, inChannels].
 */
export function depthwiseConv2dBackpropInputValues(
  filter: Float32Array | Int32Array,
  dy: Float32Array | Int32Array,
  info: tf.backend_util.Conv2DInfo,
): Float64Array {
  const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;
  const dx = new Float64Array(batchSize * inHeight * inWidth * inChannels);
  forEachDepthwiseTap(info, (xBase, filterBase, dyBase) => {
    for (let inChannel = 0; inChannel < inChannels; inChannel++) {
      let sum = 0;
      for (let m = 0; m < multiplier; m++) {
        const channel = inChannel * multiplier + m;
        sum += (filter[filterBase + channel] as number) * (dy[dyBase + channel] as number);
      }
      dx[xBase + inChannel] += sum;
    }
  });
  return dx;
}

function depthwiseInfo(
  inputShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs | tf.DepthwiseConv2dNativeBackpropInputAttrs,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    'channelsLast',
  );
}

function depthwiseConv2dBackpropFilterKernel({ inputs, backend, attrs }: KernelParameters): tf.TensorInfo {
  const wasm = asWasmBackend(backend);
  const x = inputs['x'] as tf.TensorInfo;
  const dy = inputs['dy'] as tf.TensorInfo;
  const typedAttrs = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = depthwiseInfo(x.shape, typedAttrs.filterShape, typedAttrs);
  const dFilter = depthwiseConv2dBackpropFilterValues(readWasmValues(wasm, x), readWasmValues(wasm, dy), info);
  return writeWasmOutput(wasm, [...typedAttrs.filterShape], 'float32', dFilter);
}

function depthwiseConv2dBackpropInputKernel({ inputs, backend, attrs }: KernelParameters): tf.TensorInfo {
  const wasm = asWasmBackend(backend);
  const dy = inputs['dy'] as tf.TensorInfo;
  const filter = inputs['filter'] as tf.TensorInfo;
  const typedAttrs = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = depthwiseInfo(typedAttrs.inputShape, filter.shape, typedAttrs);
  const dx = depthwiseConv2dBackpropInputValues(readWasmValues(wasm, filter), readWasmValues(wasm, dy), info);
  return writeWasmOutput(wasm, [...typedAttrs.inputShape], 'float32', dx);
}

/** wasm has no `DepthwiseConv2dNativeBackpropFilter` (depthwise conv's filter gradient). */
export const wasmDepthwiseConv2dBackpropFilterFix: KernelFix = {
  id: 'wasm:DepthwiseConv2dNativeBackpropFilter',
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  description: 'missing in tfjs-backend-wasm 4.22; depthwise conv filter gradients need it. JavaScript loops.',
  kernelFunc: depthwiseConv2dBackpropFilterKernel,
};

/** wasm has no `DepthwiseConv2dNativeBackpropInput`, so nothing differentiates through a depthwise blur. */
export const wasmDepthwiseConv2dBackpropInputFix: KernelFix = {
  id: 'wasm:DepthwiseConv2dNativeBackpropInput',
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  description: 'missing in tfjs-backend-wasm 4.22; gradients through a depthwise conv (blur) need it. JavaScript loops.',
  kernelFunc: depthwiseConv2dBackpropInputKernel,
};
