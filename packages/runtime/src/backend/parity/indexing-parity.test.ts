import { tf } from '../../tf.js';
import {
  booleanInput,
  describeParity,
  integerInput,
  normalInput,
  parityCase,
  type ParityCase,
} from './parity-harness.js';

const cases: ParityCase[] = [
  parityCase('gather rows of a rank-2 table (embedding gradient)', [normalInput([10, 6]), integerInput([4, 5], 10)], (table, ids) =>
    tf.gather(table as tf.Tensor, ids as tf.Tensor),
  ),
  parityCase('gather rows of a rank-3 table', [normalInput([7, 3, 4]), integerInput([9], 7)], (table, ids) =>
    tf.gather(table as tf.Tensor, ids as tf.Tensor),
  ),
  parityCase('gather axis 1 of a rank-3 table', [normalInput([2, 8, 3]), integerInput([5], 8)], (table, ids) =>
    tf.gather(table as tf.Tensor, ids as tf.Tensor, 1),
  ),
  parityCase('oneHot depth 7 (forward)', [integerInput([3, 5], 7)], (ids) => tf.oneHot(ids as tf.Tensor, 7), { gradient: false }),
  parityCase('oneHot · matMul (selection through a tape)', [normalInput([7, 4]), integerInput([6], 7)], (table, ids) =>
    tf.matMul(tf.oneHot(ids as tf.Tensor1D, 7).toFloat() as tf.Tensor2D, table as tf.Tensor2D),
  ),
  parityCase('where/select', [booleanInput([3, 4, 5]), normalInput([3, 4, 5]), normalInput([3, 4, 5])], (condition, a, b) =>
    tf.where(condition as tf.Tensor, a as tf.Tensor, b as tf.Tensor),
  ),
  parityCase('equal/greater/less comparisons (forward)', [integerInput([4, 5], 3), integerInput([4, 5], 3)], (a, b) => [
    tf.equal(a as tf.Tensor, b as tf.Tensor),
    tf.greater(a as tf.Tensor, b as tf.Tensor),
    tf.lessEqual(a as tf.Tensor, b as tf.Tensor),
  ], { gradient: false }),
  parityCase('greater on floats (forward)', [normalInput([4, 5]), normalInput([5])], (a, b) => tf.greater(a as tf.Tensor, b as tf.Tensor), {
    gradient: false,
  }),
  parityCase('linspace and range (forward)', [normalInput([1])], (x) => [
    tf.linspace(-1, 2, 7),
    tf.range(0, 10, 3),
    tf.range(5, -3, -2, 'float32'),
    x as tf.Tensor,
  ], { gradient: false }),
  parityCase('reshape', [normalInput([2, 3, 4])], (x) => tf.reshape(x as tf.Tensor, [6, 4])),
  parityCase('expandDims and squeeze', [normalInput([3, 1, 4])], (x) => [
    tf.expandDims(x as tf.Tensor, 0),
    tf.squeeze(x as tf.Tensor, [1]),
  ]),
  parityCase('stridedSlice (forward)', [normalInput([5, 6, 4])], (x) => tf.stridedSlice(x as tf.Tensor, [1, 0, 3], [5, 6, 0], [2, 2, -1]), {
    gradient: false,
  }),
  parityCase('reverse rank 3 axes [0, 2]', [normalInput([3, 4, 5])], (x) => tf.reverse(x as tf.Tensor, [0, 2])),
  parityCase('reverse rank 5 axes [1, 3]', [normalInput([2, 3, 2, 3, 2])], (x) => tf.reverse(x as tf.Tensor, [1, 3])),
  parityCase('reverse rank 6 axes [0, 2, 4] (one axis at a time)', [normalInput([2, 2, 3, 2, 3, 2])], (x) =>
    tf.reverse(x as tf.Tensor, [0, 2, 4]),
  ),
  parityCase('mirrorPad rank 3 reflect', [normalInput([3, 4, 5])], (x) => tf.mirrorPad(x as tf.Tensor, [[1, 1], [0, 2], [1, 0]], 'reflect')),
  parityCase('mirrorPad rank 5 symmetric', [normalInput([2, 3, 2, 3, 2])], (x) =>
    tf.mirrorPad(x as tf.Tensor, [[0, 0], [1, 1], [0, 0], [2, 0], [0, 1]], 'symmetric'),
  ),
  parityCase('mirrorPad rank 5, every axis padded', [normalInput([2, 3, 2, 3, 2])], (x) =>
    tf.mirrorPad(x as tf.Tensor, [[1, 0], [1, 1], [0, 1], [2, 0], [0, 1]], 'symmetric'),
  ),
];

const concatShapes: Record<number, number[]> = { 2: [3, 4], 3: [2, 3, 4], 4: [2, 2, 3, 2], 5: [2, 1, 2, 3, 2] };
for (const rank of [2, 3, 4, 5]) {
  const base = concatShapes[rank] as number[];
  for (const axis of [0, rank - 1]) {
    const other = base.map((size, index) => (index === axis ? size + 1 : size));
    cases.push(
      parityCase(`concat rank ${rank} axis ${axis}`, [normalInput(base), normalInput(other)], (a, b) =>
        tf.concat([a as tf.Tensor, b as tf.Tensor], axis),
      ),
    );
  }
}

const sliceShapes: Record<number, number[]> = {
  2: [5, 6],
  3: [4, 5, 3],
  4: [3, 4, 3, 4],
  5: [2, 3, 4, 3, 2],
  6: [2, 3, 2, 3, 2, 3],
};
for (const rank of [2, 3, 4, 5, 6]) {
  const shape = sliceShapes[rank] as number[];
  const begin = shape.map((size, index) => (index % 2 === 0 ? 1 % size : 0));
  const size = shape.map((dimension, index) => (index % 2 === 0 ? dimension - 1 : dimension > 2 ? 2 : -1));
  cases.push(
    parityCase(`slice rank ${rank} (gradient pads rank ${rank})`, [normalInput(shape)], (x) => tf.slice(x as tf.Tensor, begin, size)),
  );
  const paddings = shape.map((_, index): [number, number] => (index % 2 === 0 ? [1, 0] : [0, 2]));
  cases.push(parityCase(`pad rank ${rank} every axis`, [normalInput(shape)], (x) => tf.pad(x as tf.Tensor, paddings, 0.5)));
  const somePaddings = shape.map((_, index): [number, number] => (index === 1 ? [2, 1] : [0, 0]));
  cases.push(parityCase(`pad rank ${rank} one axis`, [normalInput(shape)], (x) => tf.pad(x as tf.Tensor, somePaddings)));
}
/** A rank-5 slice inside a larger graph (as in attention head splitting): catches a dropped command buffer. */
cases.push(
  parityCase('rank-5 slice gradient within a graph', [normalInput([2, 3, 2, 4, 3]), normalInput([3, 5])], (x, weight) => {
    const sliced = tf.slice(x as tf.Tensor, [0, 1, 0, 0, 0], [2, 2, 2, 4, 3]);
    return tf.matMul(tf.reshape(sliced, [-1, 3]) as tf.Tensor2D, weight as tf.Tensor2D).tanh();
  }),
);

const transposePerms: number[][] = [
  [0, 2, 1],
  [2, 0, 1],
  [0, 2, 1, 3],
  [3, 1, 0, 2],
  [0, 3, 1, 4, 2],
  [4, 3, 2, 1, 0],
  [0, 2, 4, 1, 3, 5],
  [5, 0, 3, 1, 4, 2],
];
for (const perm of transposePerms) {
  const shape = perm.map((_, index) => 2 + (index % 3));
  cases.push(parityCase(`transpose rank ${perm.length} perm ${perm.join(',')}`, [normalInput(shape)], (x) => tf.transpose(x as tf.Tensor, perm)));
}

for (const [shape, reps] of [
  [[3], [4]],
  [[2, 3], [2, 3]],
  [[2, 1, 3], [1, 4, 2]],
  [[2, 3, 1, 2], [2, 1, 3, 1]],
] as const) {
  cases.push(
    parityCase(`tile rank ${shape.length} reps ${reps.join(',')}`, [normalInput([...shape])], (x) => tf.tile(x as tf.Tensor, [...reps])),
  );
}

await describeParity('parity: indexing, shape and layout', cases);
