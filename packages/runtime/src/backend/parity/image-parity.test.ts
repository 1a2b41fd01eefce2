import { tf } from '../../tf.js';
import { describeParity, normalInput, parityCase, type ParityCase } from './parity-harness.js';

const cases: ParityCase[] = [];
for (const stride of [1, 2] as const) {
  for (const pad of ['same', 'valid'] as const) {
    cases.push(
      parityCase(`conv2d 3x3 stride ${stride} ${pad} (grads: input, filter)`, [normalInput([2, 7, 6, 3]), normalInput([3, 3, 3, 4], 0.5)], (x, filter) =>
        tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, pad),
      ),
    );
  }
}
cases.push(
  // Explicit padding (the runtime's Conv2d: PyTorch's symmetric padding, LDM's (0, 1, 0, 1) before a stride-2 conv).
  parityCase('conv2d 3x3 explicit padding 1 (grads: input, filter)', [normalInput([2, 6, 5, 3]), normalInput([3, 3, 3, 4], 0.5)], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]),
  ),
  parityCase('conv2d 3x3 stride 2 explicit padding (0, 1, 0, 1) (grads: input, filter)', [normalInput([2, 8, 6, 3]), normalInput([3, 3, 3, 4], 0.5)], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, [[0, 0], [0, 1], [0, 1], [0, 0]]),
  ),
  parityCase('fused conv2d with bias, explicit padding (grads: input, filter, bias)', [normalInput([2, 6, 5, 3]), normalInput([3, 3, 3, 4], 0.5), normalInput([4])], (x, filter, bias) =>
    tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], bias }),
  ),
  parityCase('fused conv2d with bias, stride 2 valid (grads: input, filter, bias)', [normalInput([2, 8, 6, 3]), normalInput([3, 3, 3, 4], 0.5), normalInput([4])], (x, filter, bias) =>
    tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: 2, pad: 'valid', bias }),
  ),
  parityCase('conv2d 1x1 (pointwise)', [normalInput([2, 5, 5, 4]), normalInput([1, 1, 4, 6])], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid'),
  ),
  parityCase('conv2d 4x4 stride 4 (patchify)', [normalInput([2, 8, 8, 3]), normalInput([4, 4, 3, 5], 0.5)], (x, filter) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 4, 'valid'),
  ),
  parityCase('conv2dTranspose 3x3 stride 2 same', [normalInput([2, 4, 3, 4]), normalInput([3, 3, 5, 4], 0.5)], (x, filter) =>
    tf.conv2dTranspose(x as tf.Tensor4D, filter as tf.Tensor4D, [2, 8, 6, 5], 2, 'same'),
  ),
  parityCase('conv2dTranspose 2x2 stride 2 valid (unpatchify)', [normalInput([1, 3, 3, 4]), normalInput([2, 2, 3, 4], 0.5)], (x, filter) =>
    tf.conv2dTranspose(x as tf.Tensor4D, filter as tf.Tensor4D, [1, 6, 6, 3], 2, 'valid'),
  ),
  parityCase('avgPool 2x2 stride 2 valid', [normalInput([2, 6, 6, 3])], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')),
  parityCase('avgPool 3x3 stride 1 same', [normalInput([2, 5, 5, 2])], (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same')),
  parityCase('maxPool 2x2 stride 2 valid', [normalInput([2, 6, 6, 3])], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')),
  parityCase('maxPool 3x3 stride 2 same', [normalInput([2, 7, 7, 2])], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')),
  parityCase('depthwiseConv2d 3x3 same (blur; grads: input, filter)', [normalInput([2, 6, 6, 3]), normalInput([3, 3, 3, 1], 0.5)], (x, filter) =>
    tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'),
  ),
  parityCase('depthwiseConv2d 3x3 stride 2 valid multiplier 2', [normalInput([1, 7, 7, 2]), normalInput([3, 3, 2, 2], 0.5)], (x, filter) =>
    tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, 'valid'),
  ),
  parityCase('resizeNearestNeighbor 5x4 → 8x10', [normalInput([2, 5, 4, 3])], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 10])),
  parityCase('resizeNearestNeighbor 8x8 → 4x4 halfPixelCenters', [normalInput([1, 8, 8, 2])], (x) =>
    tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [4, 4], false, true),
  ),
);
for (const halfPixelCenters of [false, true]) {
  cases.push(
    parityCase(`resizeBilinear 8x8 → 3x5 halfPixelCenters=${halfPixelCenters}`, [normalInput([2, 8, 8, 3])], (x) =>
      tf.image.resizeBilinear(x as tf.Tensor4D, [3, 5], false, halfPixelCenters),
    ),
    parityCase(`resizeBilinear 4x5 → 9x7 halfPixelCenters=${halfPixelCenters}`, [normalInput([1, 4, 5, 2])], (x) =>
      tf.image.resizeBilinear(x as tf.Tensor4D, [9, 7], false, halfPixelCenters),
    ),
  );
}

await describeParity('parity: convolution, pooling and image ops', cases);
