import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { LayerNorm } from './layer-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function referenceLayerNorm(row: number[], weight: number[], bias: number[], epsilon: number): number[] {
  const mean = row.reduce((sum, value) => sum + value, 0) / row.length;
  const variance = row.reduce((sum, value) => sum + (value - mean) ** 2, 0) / row.length;
  return row.map((value, index) => ((value - mean) / Math.sqrt(variance + epsilon)) * weight[index]! + bias[index]!);
}

describe('LayerNorm', () => {
  it('matches the formula with biased variance and the affine terms', () => {
    const norm = new LayerNorm({ normalizedShape: 4, epsilon: 1e-5 });
    const weight = [1, 2, 0.5, -1];
    const bias = [0, 1, -1, 0.25];
    norm.loadNamedWeights({ weight: tf.tensor1d(weight), bias: tf.tensor1d(bias) });
    const rows = [
      [1, 2, 3, 4],
      [-1, 0.5, 10, 2],
    ];
    const input = tf.tensor2d(rows);
    const output = norm.forward(input).dataSync();
    const expected = rows.flatMap((row) => referenceLayerNorm(row, weight, bias, 1e-5));
    expected.forEach((value, index) => expect(output[index]).toBeCloseTo(value, 4));
    input.dispose();
    norm.dispose();
  });

  it('defaults to epsilon 1e-6 and can drop the affine terms', () => {
    const plain = new LayerNorm({ normalizedShape: 3, elementwiseAffine: false });
    expect(plain.epsilon).toBe(1e-6);
    expect(plain.namedParameters()).toEqual([]);
    const input = tf.tensor2d([[1, 2, 6]]);
    const output = plain.forward(input).dataSync();
    referenceLayerNorm([1, 2, 6], [1, 1, 1], [0, 0, 0], 1e-6).forEach((value, index) => expect(output[index]).toBeCloseTo(value, 5));
    input.dispose();
    const noBias = new LayerNorm({ normalizedShape: 3, bias: false });
    expect(noBias.namedParameters().map(([name]) => name)).toEqual(['weight']);
    noBias.dispose();
  });

  it('has finite-difference gradients for input, weight and bias', () => {
    const random = new SeededRandom(5);
    const norm = new LayerNorm({ normalizedShape: 5 });
    norm.loadNamedWeights({ weight: random.normalTensor([5], 1, 0.3), bias: random.normalTensor([5], 0, 0.3) });
    const input = tf.variable(random.normalTensor([3, 5]));
    const target = random.normalTensor([3, 5]);
    const loss = () => tf.sum(tf.mul(tf.sin(norm.forward(input)), target)) as tf.Scalar;
    gradientCheck(loss, [input, norm.weight!, norm.bias!]).forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    norm.dispose();
  });
});
