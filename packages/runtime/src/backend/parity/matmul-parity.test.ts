import { tf } from '../../tf.js';
import { describeParity, normalInput, parityCase, type ParityCase } from './parity-harness.js';

const cases: ParityCase[] = [];
for (const transposeA of [false, true]) {
  for (const transposeB of [false, true]) {
    const label = `transposeA=${transposeA} transposeB=${transposeB}`;
    const a = transposeA ? [5, 4] : [4, 5];
    const b = transposeB ? [3, 5] : [5, 3];
    cases.push(
      parityCase(`matMul 2-D ${label}`, [normalInput(a), normalInput(b)], (left, right) =>
        tf.matMul(left as tf.Tensor2D, right as tf.Tensor2D, transposeA, transposeB),
      ),
      parityCase(
        `matMul batched rank 3 ${label}`,
        [normalInput([2, ...a]), normalInput([2, ...b])],
        (left, right) => tf.matMul(left as tf.Tensor3D, right as tf.Tensor3D, transposeA, transposeB),
      ),
      parityCase(
        `matMul batched rank 4 ${label}`,
        [normalInput([2, 3, ...a]), normalInput([2, 3, ...b])],
        (left, right) => tf.matMul(left as tf.Tensor4D, right as tf.Tensor4D, transposeA, transposeB),
      ),
      // tf.fused.matMul with a non-zero bias (wasm 4.22 indexed the bias wrongly with a transposed operand).
      parityCase(`fused matMul with bias ${label}`, [normalInput(a), normalInput(b), normalInput([3])], (left, right, bias) =>
        tf.fused.matMul({ a: left as tf.Tensor2D, b: right as tf.Tensor2D, transposeA, transposeB, bias }),
      ),
      parityCase(`fused matMul batched with bias and relu ${label}`, [normalInput([2, ...a]), normalInput([2, ...b]), normalInput([3])], (left, right, bias) =>
        tf.fused.matMul({ a: left as tf.Tensor3D, b: right as tf.Tensor3D, transposeA, transposeB, bias, activation: 'relu' }),
      ),
    );
  }
}
cases.push(
  parityCase('matMul 2-D larger (64x48 · 48x40)', [normalInput([64, 48]), normalInput([48, 40])], (left, right) =>
    tf.matMul(left as tf.Tensor2D, right as tf.Tensor2D),
  ),
);

await describeParity('parity: matMul', cases);
