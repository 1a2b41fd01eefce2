/**
 * The positional input order of every native kernel (tfjs names from `kernel_names.d.ts`), as the addon reads them.
 * `'variadic'`: tfjs passes an array of tensors (Concat, Pack, AddN, Einsum).
 */
export type NativeKernelInputs = readonly string[] | 'variadic';

const unary = ['x'] as const;
const binary = ['a', 'b'] as const;

const unaryKernels = [
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Ceil', 'Cos', 'Cosh', 'Erf', 'Exp', 'Expm1', 'Floor',
  'IsFinite', 'IsInf', 'IsNan', 'Log', 'Log1p', 'LogicalNot', 'Neg', 'Reciprocal', 'Round', 'Rsqrt', 'Sign', 'Sin',
  'Sinh', 'Sqrt', 'Square', 'Tan', 'Tanh', 'Relu', 'Relu6', 'Sigmoid', 'Softplus', 'Elu', 'Selu', 'LeakyRelu', 'Step',
  'ClipByValue', 'Cast', 'Sum', 'Mean', 'Max', 'Min', 'Prod', 'All', 'Any', 'ArgMax', 'ArgMin', 'Cumsum', 'Cumprod',
  'Reshape', 'Transpose', 'Slice', 'StridedSlice', 'SplitV', 'Tile', 'Reverse', 'PadV2', 'MirrorPad', 'TopK',
  'ZerosLike', 'OnesLike', 'AvgPool', 'MaxPool',
] as const;

const binaryKernels = [
  'Add', 'Sub', 'Multiply', 'RealDiv', 'FloorDiv', 'Maximum', 'Minimum', 'Pow', 'SquaredDifference', 'Mod', 'Atan2',
  'Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor',
  'BatchMatMul',
] as const;

/** Input names of each native kernel, keyed by tfjs kernel name. */
export const nativeKernelInputs: Readonly<Record<string, NativeKernelInputs>> = {
  ...Object.fromEntries(unaryKernels.map((name) => [name, unary])),
  ...Object.fromEntries(binaryKernels.map((name) => [name, binary])),
  Softmax: ['logits'],
  ExpandDims: ['input'],
  Unpack: ['value'],
  EluGrad: ['dy', 'y'],
  Prelu: ['x', 'alpha'],
  Select: ['condition', 't', 'e'],
  _FusedMatMul: ['a', 'b', 'bias', 'preluActivationWeights'],
  FusedBatchNorm: ['x', 'scale', 'offset', 'mean', 'variance'],
  GatherV2: ['x', 'indices'],
  GatherNd: ['params', 'indices'],
  UnsortedSegmentSum: ['x', 'segmentIds'],
  OneHot: ['indices'],
  Fill: [],
  Range: [],
  LinSpace: [],
  Concat: 'variadic',
  Pack: 'variadic',
  AddN: 'variadic',
  Einsum: 'variadic',
  Conv2D: ['x', 'filter'],
  FusedConv2D: ['x', 'filter', 'bias', 'preluActivationWeights'],
  Conv2DBackpropInput: ['dy', 'filter'],
  Conv2DBackpropFilter: ['x', 'dy'],
  DepthwiseConv2dNative: ['x', 'filter'],
  FusedDepthwiseConv2D: ['x', 'filter', 'bias', 'preluActivationWeights'],
  DepthwiseConv2dNativeBackpropInput: ['dy', 'filter'],
  DepthwiseConv2dNativeBackpropFilter: ['x', 'dy'],
  AvgPoolGrad: ['dy', 'input'],
  MaxPoolGrad: ['dy', 'input', 'output'],
  ResizeBilinear: ['images'],
  ResizeBilinearGrad: ['images', 'dy'],
  ResizeNearestNeighbor: ['images'],
  ResizeNearestNeighborGrad: ['images', 'dy'],
  // @reca/runtime's fused kernels (fusedKernelNames; contract in packages/runtime/src/fused/fused-kernel-names.ts).
  RecaLayerNorm: ['x', 'weight', 'bias'],
  RecaLayerNormGrad: ['dy', 'x', 'weight', 'bias'],
  RecaRmsNorm: ['x', 'weight'],
  RecaRmsNormGrad: ['dy', 'x', 'weight'],
  RecaGroupNorm: ['x', 'weight', 'bias'],
  RecaGroupNormGrad: ['dy', 'x', 'weight'],
  RecaSilu: ['x'],
  RecaSiluGrad: ['dy', 'x'],
  RecaGelu: ['x'],
  RecaGeluGrad: ['dy', 'x'],
  RecaSoftmaxCrossEntropy: ['logits', 'labels'],
  RecaSoftmaxCrossEntropyGrad: ['dy', 'logits', 'labels'],
  RecaAdamUpdate: 'variadic',
  RecaGlobalNorm: 'variadic',
  RecaLinear: ['x', 'weight', 'bias'],
  RecaLinearGrad: ['dy', 'x', 'weight', 'bias'],
  RecaAttention: ['query', 'key', 'value', 'bias'],
  RecaAttentionGrad: ['dy', 'query', 'key', 'value', 'weights', 'bias'],
};
