/**
 * The differential cases: every native kernel of the `torch` backend, forward and (where tfjs defines one) gradient,
 * on seeded random inputs of several dtypes and shapes. Gradients exercise the backprop kernels (Conv2DBackprop*,
 * DepthwiseConv2dNativeBackprop*, AvgPoolGrad, MaxPoolGrad, Resize*Grad, EluGrad, UnsortedSegmentSum, …).
 * Shared by the vitest suite and the GPU check bundle.
 */
import {
  attentionBias,
  crossEntropyWithIgnoreIndex,
  fusedKernelNames,
  geluErf,
  geluTanh,
  globalNorm,
  groupNormalization,
  layerNormalization,
  linear,
  rmsNormalization,
  runFusedKernel,
  scaledDotProductAttention,
  silu,
  tf,
  type SeededRandom,
} from '@reca/runtime';
import {
  booleans,
  constant,
  differentialCase as c,
  integers,
  normal,
  offGrid,
  uniform,
  type DifferentialCase,
  type DifferentialInput,
} from './differential-harness.js';

/** float32 input with NaN, ±Infinity and ordinary values (not differentiable). */
function special(shape: number[]): (random: SeededRandom) => DifferentialInput {
  const pool = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 1.5, -2.25];
  return (random) => ({
    shape,
    dtype: 'float32',
    values: Float32Array.from({ length: shape.reduce((product, size) => product * size, 1) }, () => pool[random.integer(pool.length)] as number),
    differentiable: false,
  });
}

/** int32 values in [low, high) stored as float32 (ties for comparisons). */
function integralFloats(shape: number[], low: number, high: number): (random: SeededRandom) => DifferentialInput {
  return (random) => ({ ...integers(shape, low, high)(random), dtype: 'float32', values: Float32Array.from(integers(shape, low, high)(random).values) });
}

/** Non-zero int32 values in [-range, range]. */
function nonZeroIntegers(shape: number[], range: number): (random: SeededRandom) => DifferentialInput {
  return (random) => {
    const values = integers(shape, 1, range + 1)(random).values as Int32Array;
    return { shape, dtype: 'int32', values: values.map((value) => (random.bernoulli(0.5) ? value : -value)), differentiable: false };
  };
}

const unaryCases: DifferentialCase[] = [
  c('Abs', [normal([3, 4])], (x) => tf.abs(x)),
  c('Abs int32', [integers([5], -4, 4)], (x) => tf.abs(x)),
  c('Neg', [normal([3, 4])], (x) => tf.neg(x)),
  c('Neg int32', [integers([5], -4, 4)], (x) => tf.neg(x)),
  c('Exp', [normal([3, 4], 0.5)], (x) => tf.exp(x)),
  c('Expm1', [normal([3, 4], 0.5)], (x) => tf.expm1(x)),
  c('Log', [uniform([3, 4], 0.5, 3)], (x) => tf.log(x)),
  c('Log1p', [uniform([3, 4], -0.5, 3)], (x) => tf.log1p(x)),
  c('Sqrt', [uniform([3, 4], 0.5, 3)], (x) => tf.sqrt(x)),
  c('Rsqrt', [uniform([3, 4], 0.5, 3)], (x) => tf.rsqrt(x)),
  c('Reciprocal', [uniform([3, 4], 0.5, 2)], (x) => tf.reciprocal(x)),
  c('Square', [normal([3, 4])], (x) => tf.square(x)),
  c('Sin', [normal([3, 4])], (x) => tf.sin(x)),
  c('Cos', [normal([3, 4])], (x) => tf.cos(x)),
  c('Tan', [uniform([3, 4], -1, 1)], (x) => tf.tan(x)),
  c('Asin', [uniform([3, 4], -0.9, 0.9)], (x) => tf.asin(x)),
  c('Acos', [uniform([3, 4], -0.9, 0.9)], (x) => tf.acos(x)),
  c('Atan', [normal([3, 4])], (x) => tf.atan(x)),
  c('Sinh', [uniform([3, 4], -2, 2)], (x) => tf.sinh(x)),
  c('Cosh', [uniform([3, 4], -2, 2)], (x) => tf.cosh(x)),
  c('Tanh', [normal([3, 4])], (x) => tf.tanh(x)),
  c('Asinh', [normal([3, 4])], (x) => tf.asinh(x)),
  c('Acosh', [uniform([3, 4], 1.2, 3)], (x) => tf.acosh(x)),
  c('Atanh', [uniform([3, 4], -0.9, 0.9)], (x) => tf.atanh(x)),
  c('Erf', [normal([3, 4])], (x) => tf.erf(x)),
  c('Sigmoid', [normal([3, 4], 2)], (x) => tf.sigmoid(x)),
  c('Softplus', [normal([3, 4], 4)], (x) => tf.softplus(x)),
  c('Relu', [offGrid([3, 4], 3)], (x) => tf.relu(x)),
  c('Relu6', [offGrid([3, 4], 9)], (x) => tf.relu6(x)),
  c('LeakyRelu', [offGrid([3, 4], 3)], (x) => tf.leakyRelu(x, 0.3)),
  c('Elu and EluGrad', [offGrid([3, 4], 3)], (x) => tf.elu(x)),
  c('Selu', [offGrid([3, 4], 3)], (x) => tf.selu(x)),
  c('Step', [offGrid([3, 4], 3)], (x) => tf.step(x, 0.25)),
  c('Sign', [offGrid([3, 4], 3)], (x) => tf.sign(x)),
  c('Floor', [offGrid([3, 4], 3)], (x) => tf.floor(x)),
  c('Ceil', [offGrid([3, 4], 3)], (x) => tf.ceil(x)),
  c('Round', [offGrid([3, 4], 3)], (x) => tf.round(x)),
  c('ClipByValue', [offGrid([3, 4], 3)], (x) => tf.clipByValue(x, -1.5, 0.75)),
  c('IsNan IsInf IsFinite', [special([12])], (x) => [tf.isNaN(x), tf.isInf(x), tf.isFinite(x)]),
  c('LogicalNot', [booleans([6])], (x) => tf.logicalNot(x)),
  c('Prelu', [offGrid([2, 3, 4], 3), uniform([4], 0.1, 0.5)], (x, alpha) => tf.prelu(x, alpha)),
];

const binaryCases: DifferentialCase[] = [
  c('Add broadcast', [normal([2, 3, 4]), normal([4])], (a, b) => tf.add(a, b)),
  c('Add int32', [integers([2, 3], -9, 9), integers([3], -9, 9)], (a, b) => tf.add(a, b)),
  c('Sub broadcast', [normal([3, 1]), normal([1, 4])], (a, b) => tf.sub(a, b)),
  c('Sub int32', [integers([4], -9, 9), integers([4], -9, 9)], (a, b) => tf.sub(a, b)),
  c('Multiply broadcast', [normal([2, 3, 4]), normal([3, 1])], (a, b) => tf.mul(a, b)),
  c('Multiply int32', [integers([4], -9, 9), integers([4], -9, 9)], (a, b) => tf.mul(a, b)),
  c('Multiply by scalar', [normal([3, 4]), normal([])], (a, b) => tf.mul(a, b)),
  c('RealDiv broadcast', [normal([2, 3]), uniform([3], 0.5, 2)], (a, b) => tf.div(a, b)),
  c('FloorDiv float32', [normal([6], 3), uniform([6], 0.5, 2)], (a, b) => tf.floorDiv(a, b), { gradient: false }),
  c('FloorDiv int32', [integers([8], -20, 20), nonZeroIntegers([8], 5)], (a, b) => tf.floorDiv(a, b)),
  c('Mod float32', [uniform([6], 0.1, 9), uniform([6], 0.5, 2)], (a, b) => tf.mod(a, b)),
  c('Mod int32', [integers([8], -20, 20), nonZeroIntegers([8], 5)], (a, b) => tf.mod(a, b)),
  c('Pow', [uniform([3, 4], 0.5, 2), normal([4])], (a, b) => tf.pow(a, b)),
  c('Pow int32', [integers([6], -3, 4), integers([6], 0, 4)], (a, b) => tf.pow(a, b)),
  c('SquaredDifference', [normal([3, 4]), normal([3, 4])], (a, b) => tf.squaredDifference(a, b)),
  c('Maximum', [offGrid([3, 4], 3), offGrid([3, 4], 3)], (a, b) => tf.maximum(a, b)),
  c('Maximum broadcast int32', [integers([2, 3], -5, 5), integers([3], -5, 5)], (a, b) => tf.maximum(a, b)),
  c('Minimum', [offGrid([3, 4], 3), offGrid([3, 4], 3)], (a, b) => tf.minimum(a, b)),
  c('Atan2', [normal([3, 4]), normal([3, 4])], (a, b) => tf.atan2(a, b)),
  c(
    'Equal NotEqual Less LessEqual Greater GreaterEqual',
    [integralFloats([2, 6], -2, 2), integralFloats([6], -2, 2)],
    (a, b) => [tf.equal(a, b), tf.notEqual(a, b), tf.less(a, b), tf.lessEqual(a, b), tf.greater(a, b), tf.greaterEqual(a, b)],
  ),
  c('Equal int32', [integers([8], -2, 2), integers([8], -2, 2)], (a, b) => [tf.equal(a, b), tf.less(a, b)]),
  c('LogicalAnd LogicalOr LogicalXor', [booleans([8]), booleans([8])], (a, b) => [
    tf.logicalAnd(a, b),
    tf.logicalOr(a, b),
    // tf.logicalXor composes And/Or/Not; the LogicalXor kernel is reached directly.
    tf.engine().runKernel('LogicalXor', { a, b }) as tf.Tensor,
  ], { reference: (a, b) => [tf.logicalAnd(a, b), tf.logicalOr(a, b), tf.logicalXor(a, b)] }),
  c('Select', [booleans([3, 4]), normal([3, 4]), normal([3, 4])], (condition, a, b) => tf.where(condition, a, b)),
  c('Cast float32 → int32 / bool', [offGrid([8], 5)], (x) => [tf.cast(x, 'int32'), tf.cast(x, 'bool')], { gradient: false }),
  c('Cast int32 → float32 / bool', [integers([8], -3, 3)], (x) => [tf.cast(x, 'float32'), tf.cast(x, 'bool')]),
  c('Cast bool → int32', [booleans([8])], (x) => tf.cast(x, 'int32')),
  c('AddN', [normal([3, 4]), normal([3, 4]), normal([3, 4])], (a, b, d) => tf.addN([a, b, d])),
];

const reductionCases: DifferentialCase[] = [
  c('Sum all', [normal([3, 4, 5])], (x) => tf.sum(x)),
  c('Sum axis keepDims', [normal([3, 4, 5])], (x) => tf.sum(x, [0, 2], true)),
  c('Sum int32 and bool', [integers([3, 4], -9, 9), booleans([3, 4])], (x, flags) => [tf.sum(x, 1), tf.sum(flags)]),
  c('Mean', [normal([3, 4, 5])], (x) => [tf.mean(x, -1), tf.mean(x)]),
  c('Mean int32', [integers([3, 4], -9, 9)], (x) => tf.mean(x, 0)),
  c('Max', [offGrid([3, 4, 5], 9)], (x) => [tf.max(x, [0, 2]), tf.max(x)]),
  c('Max int32', [integers([3, 4], -9, 9)], (x) => tf.max(x, 1, true)),
  c('Min', [offGrid([3, 4, 5], 9)], (x) => tf.min(x, 1)),
  c('Prod', [uniform([3, 4, 2], 0.5, 1.5)], (x) => [tf.prod(x, [1, 2]), tf.prod(x, 0)]),
  c('Prod int32', [integers([3, 4], -3, 3)], (x) => tf.prod(x, 1)),
  c('All Any', [booleans([3, 4])], (x) => [tf.all(x, 1), tf.any(x, 0), tf.all(x), tf.any(x)]),
  c('ArgMax ArgMin', [offGrid([3, 4, 5], 9)], (x) => [tf.argMax(x, 1), tf.argMin(x, -1), tf.argMax(x)]),
  c('Softmax', [normal([3, 5], 2)], (x) => tf.softmax(x)),
  c('logSoftmax and logSumExp', [normal([3, 5], 2)], (x) => [tf.logSoftmax(x), tf.logSumExp(x, 1)]),
  c('Cumsum', [normal([3, 5])], (x) => [tf.cumsum(x, 1), tf.cumsum(x, 0, true, false), tf.cumsum(x, 1, false, true), tf.cumsum(x, 1, true, true)]),
  c('Cumsum int32', [integers([3, 5], -5, 5)], (x) => tf.cumsum(x, 1, true, true)),
  c('Cumprod', [uniform([3, 5], 0.5, 1.5)], (x) => [tf.cumprod(x, 1), tf.cumprod(x, 1, true, true)], { gradient: false }),
];

const shapeCases: DifferentialCase[] = [
  c('Reshape', [normal([3, 4])], (x) => tf.reshape(x, [2, -1, 3])),
  c('ExpandDims', [normal([3, 4])], (x) => [tf.expandDims(x, 1), tf.expandDims(x, -1)]),
  c('Transpose', [normal([2, 3, 4])], (x) => tf.transpose(x, [2, 0, 1])),
  c('Slice', [normal([4, 5, 6])], (x) => tf.slice(x, [1, 0, 2], [2, -1, 3])),
  c(
    'StridedSlice',
    [normal([5, 6, 4])],
    (x) => [
      tf.stridedSlice(x, [1, 0, 0], [4, 6, 4], [1, 2, 1]),
      tf.stridedSlice(x, [4, 5, 3], [0, 0, 0], [-1, -2, -1]),
      tf.stridedSlice(x, [0, 1], [0, 3], [1, 1], 1, 1, 0, 0, 2),
      tf.stridedSlice(x, [0, 0], [0, 0], [1, 1], 0, 0, 0, 1, 0),
    ],
    { gradient: false },
  ),
  c('Concat', [normal([2, 3]), normal([2, 4]), normal([2, 1])], (a, b, d) => tf.concat([a, b, d], 1)),
  c('Concat int32', [integers([2, 3], 0, 9), integers([1, 3], 0, 9)], (a, b) => tf.concat([a, b], 0)),
  c('Pack', [normal([2, 3]), normal([2, 3])], (a, b) => tf.stack([a, b], 1)),
  c('Unpack', [normal([3, 2, 4])], (x) => tf.unstack(x, 1)),
  c('SplitV', [normal([2, 7])], (x) => tf.split(x, [2, 4, 1], 1)),
  c('SplitV even', [normal([6, 2])], (x) => tf.split(x, 3, 0)),
  c('Tile', [normal([2, 3])], (x) => tf.tile(x, [2, 3])),
  c('Reverse', [normal([2, 3, 4])], (x) => [tf.reverse(x, [0, 2]), tf.reverse(x, -1)]),
  c('PadV2', [normal([2, 3])], (x) => tf.pad(x, [[1, 2], [0, 3]], 0.5)),
  c('MirrorPad', [normal([3, 4])], (x) => [tf.mirrorPad(x, [[1, 2], [2, 1]], 'reflect'), tf.mirrorPad(x, [[2, 0], [1, 3]], 'symmetric')]),
  c('GatherV2', [normal([5, 3]), integers([2, 4], 0, 5)], (x, indices) => tf.gather(x, indices)),
  c('GatherV2 axis 1', [normal([3, 5, 2]), integers([4], 0, 5)], (x, indices) => tf.gather(x, indices, 1)),
  c('GatherNd', [normal([4, 3, 2]), integers([5, 2], 0, 3)], (x, indices) => tf.gatherND(x, indices), { gradient: false }),
  c('UnsortedSegmentSum', [normal([6, 3]), integers([6], 0, 4)], (x, ids) => tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 4)),
  c('OneHot', [integers([2, 5], -1, 6)], (indices) => [tf.oneHot(indices, 5), tf.oneHot(indices, 5, 2, -1, 'float32')]),
  c('TopK', [offGrid([3, 8], 9)], (x) => {
    const { values, indices } = tf.topk(x, 3);
    return [values, indices];
  }, { gradient: false }),
];

const creationCases: DifferentialCase[] = [
  c('Fill', [], () => [tf.fill([2, 3], 1.5), tf.fill([], 4, 'int32'), tf.fill([3], 2, 'int32')]),
  c('Range', [], () => [tf.range(0, 10, 3), tf.range(5, -3, -2, 'int32'), tf.range(0.5, 2.7, 0.25), tf.range(3, 0)]),
  c('LinSpace', [], () => tf.linspace(-1, 2, 7)),
  c('ZerosLike OnesLike', [normal([2, 3]), integers([4], 0, 3)], (x, y) => [tf.zerosLike(x), tf.onesLike(y), tf.onesLike(x)]),
];

const linearAlgebraCases: DifferentialCase[] = [
  c('BatchMatMul 2-D', [normal([3, 4]), normal([4, 5])], (a, b) => tf.matMul(a, b)),
  c('BatchMatMul transposes', [normal([2, 4, 3]), normal([2, 5, 4])], (a, b) => tf.matMul(a, b, true, true)),
  c('BatchMatMul 4-D', [normal([2, 3, 4, 5]), normal([2, 3, 5, 2])], (a, b) => tf.matMul(a, b)),
  // tfjs's cpu kernel broadcasts batch dims wrongly; the reference broadcasts explicitly.
  c('BatchMatMul broadcast batch', [normal([2, 1, 3, 4]), normal([3, 4, 2])], (a, b) => tf.matMul(a, b), {
    gradient: false,
    reference: (a, b) => tf.matMul(tf.broadcastTo(a, [2, 3, 3, 4]), tf.broadcastTo(b, [2, 3, 4, 2])),
  }),
  c('_FusedMatMul bias relu', [normal([3, 4]), normal([4, 5]), normal([5])], (a, b, bias) =>
    tf.fused.matMul({ a, b, bias, activation: 'relu' }),
  ),
  c('_FusedMatMul transposeB linear', [normal([3, 4]), normal([5, 4]), normal([5])], (a, b, bias) =>
    tf.fused.matMul({ a, b, bias, transposeB: true }),
  ),
  c('_FusedMatMul transposeA and batched bias', [normal([4, 3]), normal([2, 4, 5]), normal([5])], (a, b, bias) => [
    tf.fused.matMul({ a, b: tf.slice(b, [0, 0, 0], [1, -1, -1]).squeeze([0]), bias, transposeA: true }),
    tf.fused.matMul({ a: tf.stack([tf.transpose(a), tf.transpose(a)]), b, bias }),
  ]),
  c('_FusedMatMul prelu', [normal([3, 4]), normal([4, 5]), constant(uniform([5], 0.1, 0.4))], (a, b, alpha) =>
    tf.fused.matMul({ a, b, activation: 'prelu', preluActivationWeights: alpha }), { gradient: false },
  ),
  c('Einsum', [normal([2, 3, 4]), normal([2, 4, 5])], (a, b) => [tf.einsum('bij,bjk->bik', a, b), tf.einsum('bij->bj', a)], { gradient: false }),
  c('FusedBatchNorm', [normal([2, 3, 4]), normal([4]), uniform([4], 0.5, 2), normal([4]), uniform([4], 0.5, 2)], (x, mean, variance, offset, scale) =>
    tf.batchNorm(x, mean, variance, offset, scale, 0.01),
  ),
];

const convolutionCases: DifferentialCase[] = [
  c('Conv2D same stride 2 (asymmetric padding)', [normal([2, 7, 6, 3]), normal([3, 3, 3, 4], 0.5)], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same'),
  ),
  c('Conv2D valid', [normal([1, 6, 5, 2]), normal([2, 3, 2, 3], 0.5)], (x, filter) => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid')),
  // tfjs has no gradient for dilated conv2d.
  c('Conv2D same dilated', [normal([1, 7, 7, 2]), normal([3, 3, 2, 2], 0.5)], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same', 'NHWC', 2), { gradient: false },
  ),
  c('Conv2D NCHW', [normal([1, 2, 6, 5]), normal([3, 3, 2, 3], 0.5)], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same', 'NCHW'), { gradient: false },
  ),
  c('Conv2D explicit padding', [normal([1, 5, 5, 2]), normal([3, 3, 2, 2], 0.5)], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]),
  ),
  c('FusedConv2D bias relu', [normal([1, 5, 5, 2]), normal([3, 3, 2, 3], 0.5), normal([3])], (x, filter, bias) =>
    tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'relu' }),
  ),
  c('FusedConv2D bias, asymmetric padding (stride 2)', [normal([2, 6, 7, 2]), normal([3, 3, 2, 4], 0.5), normal([4])], (x, filter, bias) =>
    tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: 2, pad: 'same', bias }),
  ),
  c('FusedConv2D scalar bias', [normal([1, 5, 5, 2]), normal([3, 3, 2, 3], 0.5), normal([])], (x, filter, bias) =>
    tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: 1, pad: 'same', bias }),
  ),
  c('DepthwiseConv2dNative same stride 2', [normal([2, 7, 6, 3]), normal([3, 3, 3, 2], 0.5)], (x, filter) =>
    tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same'),
  ),
  c('DepthwiseConv2dNative valid', [normal([1, 6, 6, 2]), normal([2, 2, 2, 1], 0.5)], (x, filter) =>
    tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid'),
  ),
  c('FusedDepthwiseConv2D bias', [normal([1, 5, 5, 2]), normal([3, 3, 2, 2], 0.5), normal([4])], (x, filter, bias) =>
    tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: 1, pad: 'same', bias }),
    { gradient: false },
  ),
  c('AvgPool same (asymmetric)', [normal([2, 7, 6, 3])], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same')),
  c('AvgPool valid', [normal([1, 6, 6, 2])], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')),
  c('MaxPool same (asymmetric)', [offGrid([2, 7, 6, 3], 9)], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')),
  c('MaxPool valid', [offGrid([1, 6, 6, 2], 9)], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')),
];

const imageCases: DifferentialCase[] = [];
for (const [label, alignCorners, halfPixelCenters] of [
  ['legacy', false, false],
  ['alignCorners', true, false],
  ['halfPixelCenters', false, true],
] as const) {
  imageCases.push(
    c(`ResizeBilinear ${label} up`, [normal([2, 4, 5, 3])], (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [7, 8], alignCorners, halfPixelCenters)),
    c(`ResizeBilinear ${label} down`, [normal([1, 8, 9, 2])], (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [3, 5], alignCorners, halfPixelCenters)),
    c(`ResizeNearestNeighbor ${label} up`, [normal([2, 4, 5, 3])], (x) =>
      tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [7, 8], alignCorners, halfPixelCenters),
    ),
    c(`ResizeNearestNeighbor ${label} down`, [normal([1, 8, 9, 2])], (x) =>
      tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [3, 5], alignCorners, halfPixelCenters),
    ),
  );
}

// The Resize*Grad kernels (the stock gradients; @reca/runtime's gradient fixes bypass them) against the true adjoint:
// the gradient of the forward resize through the fixed gradients, on cpu.
for (const [label, alignCorners, halfPixelCenters] of [
  ['legacy', false, false],
  ['alignCorners', true, false],
  ['halfPixelCenters', false, true],
] as const) {
  for (const [direction, imageShape, outputShape] of [
    ['up', [2, 4, 5, 3], [2, 7, 8, 3]],
    ['down', [1, 8, 9, 2], [1, 3, 5, 2]],
  ] as const) {
    const size = [outputShape[1], outputShape[2]] as [number, number];
    const attrs = { alignCorners, halfPixelCenters };
    for (const [kernelName, resize] of [
      ['ResizeBilinearGrad', tf.image.resizeBilinear],
      ['ResizeNearestNeighborGrad', tf.image.resizeNearestNeighbor],
    ] as const) {
      imageCases.push(
        c(
          `${kernelName} ${label} ${direction}`,
          [constant(normal([...imageShape])), constant(normal([...outputShape]))],
          (images, dy) => tf.engine().runKernel(kernelName, { images, dy }, attrs) as tf.Tensor,
          {
            reference: (images, dy) =>
              tf.grad((x: tf.Tensor) => tf.sum(tf.mul(resize(x as tf.Tensor4D, size, alignCorners, halfPixelCenters), dy)))(images),
          },
        ),
      );
    }
  }
}

/** Every differential case. */
/** Labels in [0, classes) with some rows set to `ignoreIndex` and one out of range (both give a loss of 0). */
function crossEntropyLabels(rows: number, classes: number, ignoreIndex: number): (random: SeededRandom) => DifferentialInput {
  return (random) => {
    const values = Int32Array.from({ length: rows }, () => (random.bernoulli(0.25) ? ignoreIndex : random.integer(classes)));
    values[rows - 1] = classes + 3;
    return { shape: [rows], dtype: 'int32', values, differentiable: false };
  };
}

/** AdamW's update from plain tfjs ops (the composed path of @reca/runtime's AdamW), for the fused kernel's reference. */
const adamAttributes = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, stepSize: 1e-3 / (1 - 0.9 ** 3), rootBiasCorrection2: Math.sqrt(1 - 0.95 ** 3) };
function composedAdamUpdate(parameter: tf.Tensor, gradient: tf.Tensor, first: tf.Tensor, second: tf.Tensor, decayFactor: number): tf.Tensor[] {
  const { beta1, beta2, epsilon, stepSize, rootBiasCorrection2 } = adamAttributes;
  const newFirst = tf.add(tf.mul(first, beta1), tf.mul(gradient, 1 - beta1));
  const newSecond = tf.add(tf.mul(second, beta2), tf.mul(tf.square(gradient), 1 - beta2));
  const denominator = tf.add(tf.div(tf.sqrt(newSecond), rootBiasCorrection2), epsilon);
  return [tf.sub(tf.mul(parameter, decayFactor), tf.mul(tf.div(newFirst, denominator), stepSize)), newFirst, newSecond];
}

// @reca/runtime's fused kernels: the runtime's op runs the fused kernel on torch and composes tfjs ops on cpu.
const fusedCases: DifferentialCase[] = [
  c('RecaLayerNorm and RecaLayerNormGrad (weight, bias)', [normal([2, 3, 8], 2), normal([8]), normal([8])], (x, weight, bias) =>
    layerNormalization(x, weight, bias, 1e-5),
  ),
  c('RecaLayerNorm without affine parameters', [normal([4, 6], 3)], (x) => layerNormalization(x, null, null, 1e-6)),
  c('RecaLayerNorm weight only', [normal([5, 7]), normal([7])], (x, weight) => layerNormalization(x, weight, null, 1e-6)),
  c('RecaRmsNorm and RecaRmsNormGrad (with and without weight)', [normal([2, 3, 8], 2), normal([8]), normal([5, 6])], (x, weight, plain) => [
    rmsNormalization(x, weight, 1e-6),
    rmsNormalization(plain, null, 1e-5),
  ]),
  c('RecaGroupNorm and RecaGroupNormGrad', [normal([2, 3, 4, 6], 2), normal([6]), normal([6])], (x, weight, bias) =>
    groupNormalization(x as tf.Tensor4D, weight, bias, 3, 1e-6),
  ),
  c('RecaSilu and RecaSiluGrad', [normal([3, 7], 2)], (x) => silu(x)),
  c('RecaGelu and RecaGeluGrad (tanh, erf)', [normal([3, 9], 2)], (x) => [geluTanh(x), geluErf(x)]),
  c('RecaSoftmaxCrossEntropy and its gradient', [normal([12, 7], 3), crossEntropyLabels(12, 7, -100)], (logits, labels) => [
    crossEntropyWithIgnoreIndex(logits, labels, { reduction: 'none' }),
    crossEntropyWithIgnoreIndex(logits, labels),
  ]),
  c('RecaSoftmaxCrossEntropy ignoreIndex inside the classes', [normal([2, 3, 5], 2), crossEntropyLabels(6, 5, 2)], (logits, labels) =>
    crossEntropyWithIgnoreIndex(logits, tf.reshape(labels, [2, 3]), { ignoreIndex: 2, reduction: 'sum' }),
  ),
  c('RecaLinear and RecaLinearGrad (rank 3 with bias, rank 2 without)', [normal([2, 3, 4]), normal([5, 4]), normal([5]), normal([6, 4])], (x, weight, bias, flat) => [
    linear(x, weight, bias),
    linear(flat, weight, null),
  ]),
  c('RecaAttention and RecaAttentionGrad (no bias)', [normal([2, 3, 5, 4]), normal([2, 3, 5, 4]), normal([2, 3, 5, 4])], (q, k, v) =>
    scaledDotProductAttention(q, k, v),
  ),
  c(
    'RecaAttention cross-attention with a broadcast bias and its gradient',
    [normal([2, 2, 3, 4]), normal([2, 2, 6, 4]), normal([2, 2, 6, 5]), normal([1, 1, 3, 6]), normal([2, 1, 1, 6])],
    (q, k, v, sharedBias, keyBias) => [
      scaledDotProductAttention(q, k, v, { bias: sharedBias, scale: 0.7 }),
      scaledDotProductAttention(q, k, v, { bias: keyBias }),
    ],
  ),
  c('RecaAttention with a causal mask bias', [normal([1, 2, 4, 3]), normal([1, 2, 4, 3]), normal([1, 2, 4, 3])], (q, k, v) =>
    scaledDotProductAttention(q, k, v, { bias: attentionBias(1, 4, 4, { causal: true }) }),
  ),
  c(
    'RecaAdamUpdate (two groups: with and without decay, in place and not; gradient scale)',
    [normal([4, 5]), normal([4, 5]), normal([4, 5], 0.1), uniform([4, 5], 0, 0.1), normal([3]), normal([3]), normal([3], 0.1), uniform([3], 0, 0.1)],
    (p0, g0, m0, v0, p1, g1, m1, v1) => {
      // The in-place group writes into clones (fresh data), never into the case's inputs.
      const [q0, n0, w0] = [p0, m0, v0].map((tensor) => tf.add(tensor as tf.Tensor, 0)) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const { beta1, beta2, epsilon, stepSize, rootBiasCorrection2 } = adamAttributes;
      return runFusedKernel(
        fusedKernelNames.adamUpdate,
        { parameter0: q0, gradient0: g0 as tf.Tensor, firstMoment0: n0, secondMoment0: w0, parameter1: p1 as tf.Tensor, gradient1: g1 as tf.Tensor, firstMoment1: m1 as tf.Tensor, secondMoment1: v1 as tf.Tensor },
        { beta1, beta2, epsilon, gradientScale: 0.75, stepSizes: [stepSize, stepSize], rootBiasCorrections: [rootBiasCorrection2, rootBiasCorrection2], decayFactors: [0.98, 1], momentsInPlace: [true, false], parameterInPlace: [true, false] },
      );
    },
    {
      gradient: false,
      reference: (p0, g0, m0, v0, p1, g1, m1, v1) => [
        ...composedAdamUpdate(p0 as tf.Tensor, tf.mul(g0 as tf.Tensor, 0.75), m0 as tf.Tensor, v0 as tf.Tensor, 0.98),
        ...composedAdamUpdate(p1 as tf.Tensor, tf.mul(g1 as tf.Tensor, 0.75), m1 as tf.Tensor, v1 as tf.Tensor, 1),
      ],
    },
  ),
  c('RecaGlobalNorm', [normal([4, 5]), normal([3]), normal([2, 2, 2])], (a, b, d) => globalNorm([a, b, d]), { gradient: false }),
];

export const differentialCases: readonly DifferentialCase[] = [
  ...unaryCases,
  ...binaryCases,
  ...reductionCases,
  ...shapeCases,
  ...creationCases,
  ...linearAlgebraCases,
  ...convolutionCases,
  ...imageCases,
  ...fusedCases,
];
