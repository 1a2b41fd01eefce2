import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { crossEntropyWithIgnoreIndex } from './cross-entropy-with-ignore-index.js';
import { gradientToleranceRatio, numericalGradient } from './numerical-gradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** −log softmax(row)[label], computed in float64 with the log-sum-exp trick. */
function referenceLoss(row: number[], label: number): number {
  const maximum = Math.max(...row);
  const logSumExp = maximum + Math.log(row.reduce((sum, value) => sum + Math.exp(value - maximum), 0));
  return logSumExp - row[label]!;
}

const logitRows = [
  [2.0, -1.0, 0.5, 0.1],
  [0.3, 0.2, -0.7, 1.5],
  [-2.0, 3.0, 0.0, 0.4],
  [1.0, 1.0, 1.0, 1.0],
  [0.0, -0.5, 2.5, -1.5],
  [4.0, 0.0, -4.0, 0.0],
];

describe('crossEntropyWithIgnoreIndex', () => {
  it('equals the mean of −log softmax over non-ignored positions', () => {
    const labelsFlat = [0, 3, -100, 2, 2, -100];
    const logits = tf.tensor3d(logitRows.flat(), [2, 3, 4]);
    const labels = tf.tensor2d(labelsFlat, [2, 3], 'int32');
    const kept = labelsFlat.map((label, index) => [label, index] as const).filter(([label]) => label !== -100);
    const expected = kept.reduce((sum, [label, index]) => sum + referenceLoss(logitRows[index]!, label), 0) / kept.length;
    const loss = crossEntropyWithIgnoreIndex(logits, labels);
    expect(loss.shape).toEqual([]);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);

    const summed = crossEntropyWithIgnoreIndex(logits, labels, { reduction: 'sum' });
    expect(summed.dataSync()[0]).toBeCloseTo(expected * kept.length, 4);
    const perPosition = crossEntropyWithIgnoreIndex(logits, labels, { reduction: 'none' });
    expect(perPosition.shape).toEqual([2, 3]);
    const perPositionValues = perPosition.dataSync();
    labelsFlat.forEach((label, index) => {
      const reference = label === -100 ? 0 : referenceLoss(logitRows[index]!, label);
      expect(perPositionValues[index]).toBeCloseTo(reference, 5);
    });
    tf.dispose([logits, labels, loss, summed, perPosition]);
  });

  it('honours a custom ignore index and returns 0 when everything is ignored', () => {
    const logits = tf.tensor2d(logitRows.slice(0, 2));
    const labels = tf.tensor1d([1, 7], 'int32');
    const loss = crossEntropyWithIgnoreIndex(logits, labels, { ignoreIndex: 7 });
    expect(loss.dataSync()[0]).toBeCloseTo(referenceLoss(logitRows[0]!, 1), 5);
    const allIgnored = tf.tensor1d([-100, -100], 'int32');
    const zero = crossEntropyWithIgnoreIndex(logits, allIgnored);
    expect(zero.dataSync()[0]).toBe(0);
    tf.dispose([logits, labels, loss, allIgnored, zero]);
  });

  it('has the finite-difference gradient (softmax − one-hot) / count', () => {
    const variable = tf.variable(tf.tensor2d(logitRows.slice(0, 4)));
    const labels = tf.tensor1d([1, -100, 3, 0], 'int32');
    const loss = () => crossEntropyWithIgnoreIndex(variable, labels) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, [variable]);
    const analytic = grads[variable.name]!.dataSync();
    const numerical = numericalGradient(loss, variable);
    expect(gradientToleranceRatio(analytic, numerical)).toBeLessThanOrEqual(1);
    // Ignored row: exactly zero gradient.
    expect(Array.from(analytic.slice(4, 8)).map(Math.abs)).toEqual([0, 0, 0, 0]);
    tf.dispose([variable, labels, grads[variable.name]!]);
  });

  it('rejects labels of the wrong shape or dtype', () => {
    const logits = tf.zeros([2, 3, 5]);
    const wrongShape = tf.zeros([3, 2], 'int32');
    const wrongType = tf.zeros([2, 3], 'float32');
    expect(() => crossEntropyWithIgnoreIndex(logits, wrongShape)).toThrow(ShapeMismatchError);
    expect(() => crossEntropyWithIgnoreIndex(logits, wrongType)).toThrow(InvalidArgumentError);
    tf.dispose([logits, wrongShape, wrongType]);
  });

  it('leaves no tensor behind in a forward and backward pass', () => {
    const logits = tf.tensor2d(logitRows);
    const labels = tf.tensor1d([0, 1, 2, 3, -100, 1], 'int32');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((input: tf.Tensor) => crossEntropyWithIgnoreIndex(input, labels) as tf.Scalar)(logits);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, labels]);
  });
});
