import { tf } from '../../tf.js';
import { describeParity, normalInput, parityCase, type ParityCase } from './parity-harness.js';

const shape = [3, 4, 6];

/** Layer-norm-like: (x − mean) / sqrt(variance + ε) over the last axis, via tf.moments. */
function layerNorm(x: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
}

const cases: ParityCase[] = [
  parityCase('softmax last axis', [normalInput(shape, 2)], (x) => tf.softmax(x as tf.Tensor)),
  parityCase('logSoftmax last axis', [normalInput(shape, 2)], (x) => tf.logSoftmax(x as tf.Tensor)),
  parityCase('moments + layer norm (last axis)', [normalInput(shape)], (x) => layerNorm(x as tf.Tensor)),
  parityCase('moments over axes [0, 1]', [normalInput(shape)], (x) => {
    const { mean, variance } = tf.moments(x as tf.Tensor, [0, 1]);
    return [mean, variance];
  }),
  parityCase('argMax axis -1 (forward)', [normalInput(shape)], (x) => tf.argMax(x as tf.Tensor, -1), { gradient: false }),
  parityCase('argMax axis 0 (forward)', [normalInput(shape)], (x) => tf.argMax(x as tf.Tensor, 0), { gradient: false }),
  parityCase('cumsum axis 0', [normalInput(shape)], (x) => tf.cumsum(x as tf.Tensor, 0)),
  parityCase('cumsum axis 1', [normalInput(shape)], (x) => tf.cumsum(x as tf.Tensor, 1)),
  parityCase('cumsum axis 2 reverse', [normalInput(shape)], (x) => tf.cumsum(x as tf.Tensor, 2, false, true)),
  parityCase('cumsum axis -1', [normalInput(shape)], (x) => tf.cumsum(x as tf.Tensor, -1)),
  parityCase('cumsum axis -1 exclusive reverse', [normalInput(shape)], (x) => tf.cumsum(x as tf.Tensor, -1, true, true)),
  parityCase('topk k=3 (forward)', [normalInput([4, 10])], (x) => {
    const { values, indices } = tf.topk(x as tf.Tensor, 3);
    return [values, indices];
  }, { gradient: false }),
  parityCase('logSumExp axis -1', [normalInput(shape, 3)], (x) => tf.logSumExp(x as tf.Tensor, -1)),
];
for (const [reduction, op] of [
  ['sum', tf.sum],
  ['mean', tf.mean],
  ['max', tf.max],
  ['min', tf.min],
] as const) {
  for (const axes of [null, 0, -1, [0, 2], [1, 2]] as const) {
    for (const keepDims of [false, true]) {
      if (axes === null && keepDims) continue;
      const axisLabel = axes === null ? 'all' : JSON.stringify(axes);
      cases.push(
        parityCase(`${reduction} axes=${axisLabel} keepDims=${keepDims}`, [normalInput(shape)], (x) =>
          op(x as tf.Tensor, axes === null ? undefined : (axes as number | number[]), keepDims),
        ),
      );
    }
  }
}

await describeParity('parity: reductions', cases);
