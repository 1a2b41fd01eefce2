import { tf } from '@reca/runtime';

/**
 * Turns tfjs kernel attributes into what a native kernel reads, where tfjs's own geometry helpers must decide
 * (padding, slicing masks, split sizes). Kernels not listed here receive tfjs's attributes unchanged.
 */
export type AttributePreparer = (inputs: readonly (tf.TensorInfo | undefined)[], attrs: tf.NamedAttrMap) => object;

type Pair = [number, number];
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
type Padding = 'valid' | 'same' | number | ExplicitPadding;
type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

function shapeOf(info: tf.TensorInfo | undefined, what: string): number[] {
  if (info === undefined) throw new Error(`missing input ${what}`);
  return info.shape;
}

function padsOf(convInfo: tf.backend_util.Conv2DInfo): number[] {
  const { top, bottom, left, right } = convInfo.padInfo;
  return [top, bottom, left, right];
}

function channelsLastOf(attrs: tf.NamedAttrMap): boolean {
  const dataFormat = (attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC';
  return tf.backend_util.convertConv2DDataFormat(dataFormat) === 'channelsLast';
}

/** Conv2D / FusedConv2D (inputs x, filter). */
const convolution: AttributePreparer = (inputs, attrs) => {
  const channelsLast = channelsLastOf(attrs);
  const convInfo = tf.backend_util.computeConv2DInfo(
    shapeOf(inputs[0], 'x') as [number, number, number, number],
    shapeOf(inputs[1], 'filter') as [number, number, number, number],
    attrs['strides'] as number | Pair,
    attrs['dilations'] as number | Pair,
    attrs['pad'] as Padding,
    attrs['dimRoundingMode'] as RoundingMode,
    false,
    channelsLast ? 'channelsLast' : 'channelsFirst',
  );
  return {
    strides: [convInfo.strideHeight, convInfo.strideWidth],
    dilations: [convInfo.dilationHeight, convInfo.dilationWidth],
    pads: padsOf(convInfo),
    channelsLast,
    outShape: convInfo.outShape,
    activation: attrs['activation'] ?? 'linear',
    leakyreluAlpha: attrs['leakyreluAlpha'] ?? 0.2,
  };
};

/** DepthwiseConv2dNative / FusedDepthwiseConv2D (inputs x, filter). */
const depthwiseConvolution: AttributePreparer = (inputs, attrs) => {
  const channelsLast = channelsLastOf(attrs);
  const convInfo = tf.backend_util.computeConv2DInfo(
    shapeOf(inputs[0], 'x') as [number, number, number, number],
    shapeOf(inputs[1], 'filter') as [number, number, number, number],
    attrs['strides'] as number | Pair,
    (attrs['dilations'] as number | Pair | undefined) ?? 1,
    attrs['pad'] as Padding,
    attrs['dimRoundingMode'] as RoundingMode,
    true,
    channelsLast ? 'channelsLast' : 'channelsFirst',
  );
  return {
    strides: [convInfo.strideHeight, convInfo.strideWidth],
    dilations: [convInfo.dilationHeight, convInfo.dilationWidth],
    pads: padsOf(convInfo),
    channelsLast,
    outShape: convInfo.outShape,
    activation: attrs['activation'] ?? 'linear',
    leakyreluAlpha: attrs['leakyreluAlpha'] ?? 0.2,
  };
};

/** Conv2DBackpropInput / DepthwiseConv2dNativeBackpropInput (inputs dy, filter; attribute inputShape). */
function convolutionBackpropInput(depthwise: boolean): AttributePreparer {
  return (inputs, attrs) => {
    const channelsLast = channelsLastOf(attrs);
    const inputShape = attrs['inputShape'] as [number, number, number, number];
    const convInfo = tf.backend_util.computeConv2DInfo(
      inputShape,
      shapeOf(inputs[1], 'filter') as [number, number, number, number],
      attrs['strides'] as number | Pair,
      (attrs['dilations'] as number | Pair | undefined) ?? 1,
      attrs['pad'] as Padding,
      attrs['dimRoundingMode'] as RoundingMode,
      depthwise,
      channelsLast ? 'channelsLast' : 'channelsFirst',
    );
    return {
      strides: [convInfo.strideHeight, convInfo.strideWidth],
      dilations: [convInfo.dilationHeight, convInfo.dilationWidth],
      pads: padsOf(convInfo),
      channelsLast,
      inputShape,
    };
  };
}

/** Conv2DBackpropFilter / DepthwiseConv2dNativeBackpropFilter (inputs x, dy; attribute filterShape). */
function convolutionBackpropFilter(depthwise: boolean): AttributePreparer {
  return (inputs, attrs) => {
    const channelsLast = channelsLastOf(attrs);
    const filterShape = attrs['filterShape'] as [number, number, number, number];
    const convInfo = tf.backend_util.computeConv2DInfo(
      shapeOf(inputs[0], 'x') as [number, number, number, number],
      filterShape,
      attrs['strides'] as number | Pair,
      (attrs['dilations'] as number | Pair | undefined) ?? 1,
      attrs['pad'] as Padding,
      attrs['dimRoundingMode'] as RoundingMode,
      depthwise,
      channelsLast ? 'channelsLast' : 'channelsFirst',
    );
    return {
      strides: [convInfo.strideHeight, convInfo.strideWidth],
      dilations: [convInfo.dilationHeight, convInfo.dilationWidth],
      pads: padsOf(convInfo),
      channelsLast,
      filterShape,
    };
  };
}

/** AvgPool / MaxPool (input x) and their grads (input 1 is the pooled input). */
function pooling(inputIndex: number): AttributePreparer {
  return (inputs, attrs) => {
    const convInfo = tf.backend_util.computePool2DInfo(
      shapeOf(inputs[inputIndex], 'x') as [number, number, number, number],
      attrs['filterSize'] as number | Pair,
      attrs['strides'] as number | Pair,
      1,
      attrs['pad'] as Padding,
      attrs['dimRoundingMode'] as RoundingMode,
    );
    if (convInfo.dilationHeight !== 1 || convInfo.dilationWidth !== 1) throw new Error('dilated pooling is not supported');
    return {
      filterSize: [convInfo.filterHeight, convInfo.filterWidth],
      strides: [convInfo.strideHeight, convInfo.strideWidth],
      pads: padsOf(convInfo),
      channelsLast: true,
    };
  };
}

/** Slice: full-rank begin and resolved sizes. */
const slice: AttributePreparer = (inputs, attrs) => {
  const x = inputs[0] as tf.TensorInfo;
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs['begin'] as number | number[], attrs['size'] as number | number[]);
  return { begin, size };
};

/** StridedSlice: tfjs's sliceInfo resolves masks into per-dim begin/stride/size and the final shape. */
const stridedSlice: AttributePreparer = (inputs, attrs) => {
  const x = inputs[0] as tf.TensorInfo;
  const info = tf.slice_util.sliceInfo(
    x.shape,
    attrs['begin'] as number[],
    attrs['end'] as number[],
    attrs['strides'] as number[],
    attrs['beginMask'] as number,
    attrs['endMask'] as number,
    attrs['ellipsisMask'] as number,
    attrs['newAxisMask'] as number,
    attrs['shrinkAxisMask'] as number,
  );
  if (info.isIdentity) return { identity: true, finalShape: info.finalShape };
  const sizes = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
  return { begin: info.begin, strides: info.strides, sizes, finalShape: info.finalShape };
};

/** SplitV: explicit sizes and a normalised axis. */
const splitV: AttributePreparer = (inputs, attrs) => {
  const x = inputs[0] as tf.TensorInfo;
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0] as number;
  const sizes = tf.backend_util.prepareSplitSize(x, attrs['numOrSizeSplits'] as number | number[], axis);
  return { sizes, axis };
};

/** GatherV2: a normalised axis. */
const gather: AttributePreparer = (inputs, attrs) => {
  const x = inputs[0] as tf.TensorInfo;
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0] as number;
  return { axis, batchDims: attrs['batchDims'] ?? 0 };
};

/** Attribute preparers by tfjs kernel name. */
export const attributePreparers: Readonly<Record<string, AttributePreparer>> = {
  Conv2D: convolution,
  FusedConv2D: convolution,
  DepthwiseConv2dNative: depthwiseConvolution,
  FusedDepthwiseConv2D: depthwiseConvolution,
  Conv2DBackpropInput: convolutionBackpropInput(false),
  DepthwiseConv2dNativeBackpropInput: convolutionBackpropInput(true),
  Conv2DBackpropFilter: convolutionBackpropFilter(false),
  DepthwiseConv2dNativeBackpropFilter: convolutionBackpropFilter(true),
  AvgPool: pooling(0),
  MaxPool: pooling(0),
  AvgPoolGrad: pooling(1),
  MaxPoolGrad: pooling(1),
  Slice: slice,
  StridedSlice: stridedSlice,
  SplitV: splitV,
  GatherV2: gather,
};
