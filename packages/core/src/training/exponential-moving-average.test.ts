import { beforeAll, describe, expect, it } from 'vitest';
import { tf, SeededRandom, ShapeMismatchError } from '@reca/runtime';
import { ExponentialMovingAverage } from './exponential-moving-average.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index++) {
    expect(Math.abs((actual[index] as number) - (expected[index] as number))).toBeLessThanOrEqual(tolerance);
  }
}

describe('ExponentialMovingAverage', () => {
  it('defaults to decay 0.9999', () => {
    const weight = tf.variable(tf.zeros([2]));
    const ema = new ExponentialMovingAverage([['weight', weight]]);
    expect(ema.decay).toBe(0.9999);
    ema.dispose();
    weight.dispose();
  });

  it('tracks decay · ema + (1 − decay) · parameter, starting from the parameter, against a Float64 reference', () => {
    const random = new SeededRandom('ema');
    const initial = random.normalArray(6);
    const weight = tf.variable(tf.tensor(initial, [2, 3]));
    const ema = new ExponentialMovingAverage([['weight', weight]], { decay: 0.8 });
    const reference = Float64Array.from(initial);
    for (let step = 0; step < 7; step++) {
      const next = random.normalArray(6, step, 1);
      weight.assign(tf.tensor(next, [2, 3]));
      ema.update();
      for (let index = 0; index < 6; index++) reference[index] = 0.8 * (reference[index] as number) + 0.2 * (next[index] as number);
    }
    const state = ema.getState();
    expect(Object.keys(state)).toEqual(['ema.weight']);
    expectClose((state['ema.weight'] as tf.Tensor).dataSync(), reference, 1e-5);
    ema.dispose();
    weight.dispose();
  });

  it('copies the averages into variables and restores state from copies', () => {
    const weight = tf.variable(tf.tensor([1, 2, 3]));
    const ema = new ExponentialMovingAverage([['weight', weight]], { decay: 0.5 });
    weight.assign(tf.tensor([3, 4, 5]));
    ema.update(); // average = [2, 3, 4]
    const evaluation = tf.variable(tf.zeros([3]));
    ema.copyTo([['weight', evaluation]]);
    expect(Array.from(evaluation.dataSync())).toEqual([2, 3, 4]);
    expect(Array.from(weight.dataSync())).toEqual([3, 4, 5]);

    const other = new ExponentialMovingAverage([['weight', weight]], { decay: 0.5 });
    const saved = { 'ema.weight': tf.tensor([2, 3, 4]) };
    other.setState(saved);
    saved['ema.weight'].dispose(); // copied
    other.update(); // 0.5·[2,3,4] + 0.5·[3,4,5]
    other.copyTo();
    expect(Array.from(weight.dataSync())).toEqual([2.5, 3.5, 4.5]);

    const wrongShape = { 'ema.weight': tf.zeros([4]) };
    expect(() => other.setState(wrongShape)).toThrow(ShapeMismatchError);
    expect(() => other.setState({})).toThrow(/ema\.weight/);
    expect(() => other.copyTo([['bias', evaluation]])).toThrow(/bias/);
    tf.dispose([wrongShape['ema.weight'], evaluation, weight]);
    ema.dispose();
    other.dispose();
  });

  it('keeps numTensors flat across updates and frees everything on dispose', () => {
    const random = new SeededRandom(2);
    const parameters = [
      ['a', tf.variable(random.normalTensor([4, 4]))],
      ['b', tf.variable(random.normalTensor([4]))],
    ] as const;
    const before = tf.memory().numTensors;
    const ema = new ExponentialMovingAverage(parameters, { decay: 0.99 });
    const afterCreate = tf.memory().numTensors;
    expect(afterCreate - before).toBe(2);
    for (let step = 0; step < 5; step++) ema.update();
    expect(tf.memory().numTensors).toBe(afterCreate);
    ema.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(parameters.map(([, variable]) => variable));
  });

  it('rejects a decay outside [0, 1] and duplicate names', () => {
    const weight = tf.variable(tf.zeros([1]));
    expect(() => new ExponentialMovingAverage([['weight', weight]], { decay: 1.5 })).toThrow(/decay/);
    expect(() => new ExponentialMovingAverage([['weight', weight], ['weight', weight]])).toThrow(/duplicate/);
    weight.dispose();
  });
});
