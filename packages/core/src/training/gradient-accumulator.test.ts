import { beforeAll, describe, expect, it } from 'vitest';
import { tf, SeededRandom, ShapeMismatchError } from '@reca/runtime';
import { GradientAccumulator } from './gradient-accumulator.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('GradientAccumulator', () => {
  it('averages micro-batch gradients (weighted), counting a missing gradient as zero', () => {
    const accumulator = new GradientAccumulator();
    const micro1 = { weight: tf.tensor([[1, 2]]), bias: tf.tensor([10]) };
    const micro2 = { weight: tf.tensor([[3, -2]]) };
    const micro3 = { weight: tf.tensor([[5, 8]]), bias: tf.tensor([-4]) };
    accumulator.add(micro1);
    accumulator.add(micro2, 2);
    accumulator.add(micro3);
    expect(accumulator.count).toBe(3);
    expect(accumulator.totalWeight).toBe(4);
    // Caller's tensors are untouched and alive.
    expect(Array.from(micro1.weight.dataSync())).toEqual([1, 2]);
    const mean = accumulator.mean();
    // weight: (1·[1,2] + 2·[3,−2] + 1·[5,8]) / 4 = [3, 1.5];  bias: (10 + 0 − 4) / 4 = 1.5
    expect(Array.from((mean.weight as tf.Tensor).dataSync())).toEqual([3, 1.5]);
    expect((mean.weight as tf.Tensor).shape).toEqual([1, 2]);
    expect(Array.from((mean.bias as tf.Tensor).dataSync())).toEqual([1.5]);
    tf.dispose([...Object.values(mean), ...Object.values(micro1), ...Object.values(micro2), ...Object.values(micro3)]);
    accumulator.dispose();
  });

  it('equals the gradient of the mean loss over the whole batch', () => {
    const random = new SeededRandom('accumulate');
    const weight = tf.variable(random.normalTensor([3, 2]));
    const inputs = random.normalTensor([8, 3]);
    const targets = random.normalTensor([8, 2]);
    const lossOf = (x: tf.Tensor, y: tf.Tensor) => () => tf.losses.meanSquaredError(y, x.matMul(weight)) as tf.Scalar;
    const full = tf.variableGrads(lossOf(inputs, targets), [weight]);
    const accumulator = new GradientAccumulator();
    for (let start = 0; start < 8; start += 2) {
      const x = inputs.slice([start, 0], [2, 3]);
      const y = targets.slice([start, 0], [2, 3 - 1]);
      const micro = tf.variableGrads(lossOf(x, y), [weight]);
      accumulator.add(micro.grads);
      tf.dispose([x, y, micro.value, ...Object.values(micro.grads)]);
    }
    const mean = accumulator.mean();
    const expected = (full.grads[weight.name] as tf.Tensor).dataSync();
    const actual = (mean[weight.name] as tf.Tensor).dataSync();
    for (let index = 0; index < expected.length; index++) expect(actual[index]).toBeCloseTo(expected[index] as number, 5);
    tf.dispose([weight, inputs, targets, full.value, ...Object.values(full.grads), ...Object.values(mean)]);
    accumulator.dispose();
  });

  it('keeps numTensors flat while adding and frees the sums on reset', () => {
    const random = new SeededRandom(1);
    const accumulator = new GradientAccumulator();
    const before = tf.memory().numTensors;
    const addOne = () => {
      const gradients = { a: random.normalTensor([4, 4]), b: random.normalTensor([4]) };
      accumulator.add(gradients, 0.5);
      tf.dispose(Object.values(gradients));
    };
    addOne();
    expect(tf.memory().numTensors).toBe(before + 2);
    for (let index = 0; index < 4; index++) addOne();
    expect(tf.memory().numTensors).toBe(before + 2);
    accumulator.reset();
    expect(tf.memory().numTensors).toBe(before);
    expect(accumulator.count).toBe(0);
    expect(() => accumulator.mean()).toThrow(/before any add/);
  });

  it('rejects a changed shape and a bad weight without adding anything', () => {
    const accumulator = new GradientAccumulator();
    const first = { weight: tf.zeros([2, 2]) };
    const second = { weight: tf.zeros([4]) };
    accumulator.add(first);
    expect(() => accumulator.add(second)).toThrow(ShapeMismatchError);
    expect(() => accumulator.add(first, 0)).toThrow(/weight/);
    expect(accumulator.count).toBe(1);
    tf.dispose([first.weight, second.weight]);
    accumulator.dispose();
  });

  it('takes ownership when asked: the first weight-1 gradient becomes the sum, later ones are freed, sums stay flat', () => {
    const random = new SeededRandom('ownership');
    const accumulator = new GradientAccumulator();
    const before = tf.memory().numTensors;
    const first = { a: random.normalTensor([3, 2]), b: random.normalTensor([2]) };
    const firstValues = Array.from(first.a.dataSync());
    accumulator.add(first, 1, { takeOwnership: true });
    // No copy: the sum is the gradient tensor itself.
    expect(accumulator.currentSums()['a']).toBe(first.a);
    expect(tf.memory().numTensors).toBe(before + 2);
    const second = { a: random.normalTensor([3, 2]) };
    const secondValues = Array.from(second.a.dataSync());
    accumulator.add(second, 3, { takeOwnership: true });
    expect(second.a.isDisposed).toBe(true);
    expect(first.a.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before + 2);
    const sums = accumulator.currentSums();
    const expected = firstValues.map((value, index) => value + 3 * (secondValues[index] as number));
    Array.from((sums['a'] as tf.Tensor).dataSync()).forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 5));
    // The mean is the sums divided by the total weight 4.
    const mean = accumulator.mean();
    Array.from((mean['a'] as tf.Tensor).dataSync()).forEach((value, index) => expect(value).toBeCloseTo((expected[index] as number) / 4, 5));
    tf.dispose(Object.values(mean));
    // One owned tensor under two names: one name adopts it, the other gets a copy (no double free).
    const shared = tf.tensor1d([1, 2]);
    const twice = new GradientAccumulator();
    twice.add({ first: shared, second: shared }, 1, { takeOwnership: true });
    twice.add({ first: tf.tensor1d([1, 1]), second: tf.tensor1d([2, 2]) }, 1, { takeOwnership: true });
    expect(Array.from((twice.currentSums()['first'] as tf.Tensor).dataSync())).toEqual([2, 3]);
    expect(Array.from((twice.currentSums()['second'] as tf.Tensor).dataSync())).toEqual([3, 4]);
    twice.dispose();
    // A rejected add still consumes owned gradients.
    const wrong = { a: tf.zeros([5]) };
    expect(() => accumulator.add(wrong, 1, { takeOwnership: true })).toThrow(ShapeMismatchError);
    expect(wrong.a.isDisposed).toBe(true);
    accumulator.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

