import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { RMSNorm } from './rms-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('RMSNorm', () => {
  it('matches x / sqrt(mean(x²) + eps) · weight', () => {
    const norm = new RMSNorm({ dim: 3, epsilon: 1e-5 });
    const weight = [2, 1, -0.5];
    norm.loadNamedWeights({ weight: tf.tensor1d(weight) });
    const rows = [
      [1, -2, 3],
      [0.1, 0.2, 0.3],
    ];
    const input = tf.tensor2d(rows);
    const output = norm.forward(input).dataSync();
    const expected = rows.flatMap((row) => {
      const rms = Math.sqrt(row.reduce((sum, value) => sum + value * value, 0) / row.length + 1e-5);
      return row.map((value, index) => (value / rms) * weight[index]!);
    });
    expected.forEach((value, index) => expect(output[index]).toBeCloseTo(value, 5));
    const wrong = tf.zeros([2, 4]);
    expect(() => norm.forward(wrong)).toThrow(ShapeMismatchError);
    tf.dispose([input, wrong]);
    norm.dispose();
  });

  it('has finite-difference gradients for input and weight', () => {
    const random = new SeededRandom(6);
    const norm = new RMSNorm({ dim: 4 });
    norm.loadNamedWeights({ weight: random.normalTensor([4], 1, 0.3) });
    const input = tf.variable(random.normalTensor([2, 3, 4]));
    const target = random.normalTensor([2, 3, 4]);
    const loss = () => tf.sum(tf.mul(tf.sin(norm.forward(input)), target)) as tf.Scalar;
    gradientCheck(loss, [input, norm.weight!]).forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    norm.dispose();
  });
});
