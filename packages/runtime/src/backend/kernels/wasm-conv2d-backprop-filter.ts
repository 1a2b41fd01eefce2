import { tf } from '../../tf.js';
import type { KernelFix } from './kernel-fix.js';
import { asWasmBackend, readWasmValues, writeWasmOutput, type KernelParameters } from './wasm-kernel-io.js';

/**
 * Gradient of a 2-D convolution w.r.t. its filter, NHWC:
 * `dFilter[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + kh·dh − padTop, ow·sw + kw·dw − padLeft, ci] · dy[b, oh, ow, co]`.
 * @param x - [batch, inHeight, inWidth, inChannels] values.
 * @param dy - [batch, outHeight, outWidth, outChannels] values.
 * @returns float64 [filterHeight, filterWidth, inChannels, outChannels].
 */
export function conv2dBackpropFilterValues(
  x: Float32Array | Int32Array,
  dy: Float32Array | Int32Array,
  info: tf.backend_util.Conv2DInfo,
): Float64Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top: padTop, left: padLeft } = info.padInfo;
  const dFilter = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
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
            const filterBase = (filterRow * filterWidth + filterColumn) * inChannels * outChannels;
            for (let inChannel = 0; inChannel < inChannels; inChannel++) {
              const xValue = x[xBase + inChannel] as number;
              if (xValue === 0) continue;
              const target = filterBase + inChannel * outChannels;
              for (let outChannel = 0; outChannel < outChannels; outChannel++) {
                dFilter[target + outChannel] += xValue * (dy[dyBase + outChannel] as number);
              }
            }
          }
        }
      }
    }
  }
  return dFilter;
}

function conv2dBackpropFilterKernel({ inputs, backend, attrs }: KernelParameters): tf.TensorInfo {
  const wasm = asWasmBackend(backend);
  const x = inputs['x'] as tf.TensorInfo;
  const dy = inputs['dy'] as tf.TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') {
    throw new Error("wasm Conv2DBackpropFilter (RecA-TS kernel fix) supports dataFormat 'NHWC' only, got 'NCHW'");
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const dFilter = conv2dBackpropFilterValues(readWasmValues(wasm, x), readWasmValues(wasm, dy), info);
  return writeWasmOutput(wasm, [...filterShape], 'float32', dFilter);
}

/** wasm has no `Conv2DBackpropFilter` (conv2d's gradient w.r.t. the filter), so no conv layer could train. */
export const wasmConv2dBackpropFilterFix: KernelFix = {
  id: 'wasm:Conv2DBackpropFilter',
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  description: 'missing in tfjs-backend-wasm 4.22; conv2d filter gradients need it. Direct loops in JavaScript.',
  kernelFunc: conv2dBackpropFilterKernel,
};
