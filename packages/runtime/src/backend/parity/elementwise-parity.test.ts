import { tf } from '../../tf.js';
import { constantInput, describeParity, normalInput, parityCase, uniformInput, type ParityCase } from './parity-harness.js';

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

const shape = [3, 4, 5];
const unary = (name: string, op: (x: tf.Tensor) => tf.Tensor, draw = normalInput(shape)): ParityCase =>
  parityCase(name, [draw], (x) => op(x as tf.Tensor));

const cases: ParityCase[] = [
  parityCase('add broadcast [3,4,5] + [5]', [normalInput(shape), normalInput([5])], (a, b) => tf.add(a as tf.Tensor, b as tf.Tensor)),
  parityCase('add broadcast [3,1,5] + [4,1]', [normalInput([3, 1, 5]), normalInput([4, 1])], (a, b) =>
    tf.add(a as tf.Tensor, b as tf.Tensor),
  ),
  parityCase('sub broadcast [3,4,5] - [4,1]', [normalInput(shape), normalInput([4, 1])], (a, b) => tf.sub(a as tf.Tensor, b as tf.Tensor)),
  parityCase('mul broadcast [3,4,5] * [3,1,1]', [normalInput(shape), normalInput([3, 1, 1])], (a, b) =>
    tf.mul(a as tf.Tensor, b as tf.Tensor),
  ),
  parityCase('div broadcast [3,4,5] / [5] (denominator in [0.5, 2))', [normalInput(shape), uniformInput([5], 0.5, 2)], (a, b) =>
    tf.div(a as tf.Tensor, b as tf.Tensor),
  ),
  parityCase('addN of 3 tensors', [normalInput(shape), normalInput(shape), normalInput(shape)], (...tensors) =>
    tf.addN(tensors as tf.Tensor[]),
  ),
  // webgpu's stock AddN silently returns a stale buffer past 7 inputs (the storage-buffer limit); fixed in the runtime
  parityCase('addN of 12 tensors (webgpu fix)', Array.from({ length: 12 }, () => normalInput([2, 3])), (...tensors) =>
    tf.addN(tensors as tf.Tensor[]),
  ),
  parityCase('global norm of 9 tensors (clipping: sqrt of addN of squared sums)', Array.from({ length: 9 }, (_, index) => normalInput([index + 1])), (...tensors) =>
    tf.sqrt(tf.addN((tensors as tf.Tensor[]).map((tensor) => tf.sum(tf.square(tensor))))),
  ),
  parityCase('mul by scalar', [normalInput(shape)], (a) => tf.mul(a as tf.Tensor, 0.37)),
  unary('neg', (x) => tf.neg(x)),
  unary('exp', (x) => tf.exp(x)),
  unary('log (x in [0.1, 3))', (x) => tf.log(x), uniformInput(shape, 0.1, 3)),
  unary('sqrt (x in [0.1, 3))', (x) => tf.sqrt(x), uniformInput(shape, 0.1, 3)),
  unary('rsqrt (x in [0.1, 3))', (x) => tf.rsqrt(x), uniformInput(shape, 0.1, 3)),
  unary('square', (x) => tf.square(x)),
  parityCase('pow (base in [0.5, 2), exponent tensor)', [uniformInput(shape, 0.5, 2), normalInput(shape)], (a, b) =>
    tf.pow(a as tf.Tensor, b as tf.Tensor),
  ),
  unary('pow by scalar 3', (x) => tf.pow(x, 3)),
  unary('abs', (x) => tf.abs(x)),
  unary('tanh', (x) => tf.tanh(x), normalInput(shape, 2)),
  unary('sigmoid', (x) => tf.sigmoid(x), normalInput(shape, 2)),
  unary('relu', (x) => tf.relu(x)),
  unary('elu', (x) => tf.elu(x)),
  unary('gelu (tanh formula)', geluTanh),
  unary('softplus', (x) => tf.softplus(x), normalInput(shape, 2)),
  unary('silu (x·sigmoid(x))', (x) => tf.mul(x, tf.sigmoid(x))),
  parityCase('maximum broadcast [3,4,5] vs [5] (gradient fix)', [normalInput(shape), normalInput([5])], (a, b) =>
    tf.maximum(a as tf.Tensor, b as tf.Tensor),
  ),
  parityCase('minimum broadcast [3,4,5] vs [4,1] (gradient fix)', [normalInput(shape), normalInput([4, 1])], (a, b) =>
    tf.minimum(a as tf.Tensor, b as tf.Tensor),
  ),
  parityCase('squared difference broadcast [3,4,5] vs [5] (gradient fix)', [normalInput(shape), normalInput([5])], (a, b) =>
    tf.squaredDifference(a as tf.Tensor, b as tf.Tensor),
  ),
  parityCase('maximum (equal shapes)', [normalInput(shape), normalInput(shape)], (a, b) => tf.maximum(a as tf.Tensor, b as tf.Tensor)),
  parityCase('minimum (equal shapes)', [normalInput(shape), normalInput(shape)], (a, b) => tf.minimum(a as tf.Tensor, b as tf.Tensor)),
  unary('clipByValue [-0.5, 0.7]', (x) => tf.clipByValue(x, -0.5, 0.7)),
  unary('sin', (x) => tf.sin(x), normalInput(shape, 3)),
  unary('cos', (x) => tf.cos(x), normalInput(shape, 3)),
  parityCase('cast float32 → int32 (forward)', [normalInput(shape, 10)], (x) => tf.cast(x as tf.Tensor, 'int32'), { gradient: false }),
  parityCase('cast through int32 and back × input', [constantInput(normalInput(shape, 10)), normalInput(shape)], (x, y) =>
    tf.mul(tf.cast(tf.cast(x as tf.Tensor, 'int32'), 'float32'), y as tf.Tensor),
  ),
  parityCase('squared difference (equal shapes)', [normalInput(shape), normalInput(shape)], (a, b) =>
    tf.squaredDifference(a as tf.Tensor, b as tf.Tensor),
  ),
];

await describeParity('parity: elementwise', cases);
