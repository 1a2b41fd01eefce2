import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { Linear } from './linear.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('Linear', () => {
  it('computes x · Wᵀ + b with PyTorch weight layout over any leading shape', () => {
    const linear = new Linear({ inFeatures: 3, outFeatures: 2, random: new SeededRandom(1) });
    expect(linear.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['weight', [2, 3]],
      ['bias', [2]],
    ]);
    const weights = [
      [1, 2, 3],
      [-1, 0, 0.5],
    ];
    linear.loadNamedWeights({ weight: tf.tensor2d(weights), bias: tf.tensor1d([0.5, -2]) });
    const inputRows = [
      [1, 0, 0],
      [0, 1, 1],
      [2, -1, 0.5],
      [0, 0, 0],
    ];
    const input = tf.tensor3d(inputRows.flat(), [2, 2, 3]);
    const output = linear.forward(input);
    expect(output.shape).toEqual([2, 2, 2]);
    const expected = inputRows.flatMap((row) =>
      weights.map((weightRow, index) => weightRow.reduce((sum, weight, column) => sum + weight * row[column]!, 0) + [0.5, -2][index]!),
    );
    Array.from(output.dataSync()).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
    tf.dispose([input, output]);
    linear.dispose();
  });

  it('has finite-difference gradients for weight, bias and input', () => {
    const random = new SeededRandom(2);
    const linear = new Linear({ inFeatures: 4, outFeatures: 3, random });
    const input = tf.variable(random.normalTensor([2, 4]));
    const target = random.normalTensor([2, 3]);
    const loss = () => tf.sum(tf.mul(tf.tanh(linear.forward(input)), target)) as tf.Scalar;
    const ratios = gradientCheck(loss, [linear.weight, linear.bias!, input]);
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    linear.dispose();
  });

  it('works without bias and rejects a wrong input width', () => {
    const linear = new Linear({ inFeatures: 2, outFeatures: 2, bias: false, random: new SeededRandom(1) });
    expect(linear.bias).toBeNull();
    expect(linear.namedParameters().map(([name]) => name)).toEqual(['weight']);
    const wrong = tf.zeros([3, 5]);
    expect(() => linear.forward(wrong)).toThrow(ShapeMismatchError);
    wrong.dispose();
    linear.dispose();
  });

  it('leaves no tensor behind in a forward and backward pass', () => {
    const linear = new Linear({ inFeatures: 3, outFeatures: 3, random: new SeededRandom(1) });
    const input = tf.ones([2, 3]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.variableGrads(() => tf.sum(linear.forward(input)) as tf.Scalar, linear.parameters());
    });
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    linear.dispose();
  });
});
