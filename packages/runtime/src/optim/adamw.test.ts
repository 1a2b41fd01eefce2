import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/index.js';
import { AdamW, defaultAdamWConfig } from './adamw.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Plain Float64 AdamW for one parameter, written from the PyTorch update rule. */
class ReferenceAdamW {
  private readonly firstMoment: Float64Array;
  private readonly secondMoment: Float64Array;
  private steps = 0;

  constructor(
    readonly values: Float64Array,
    private readonly settings: { beta1: number; beta2: number; epsilon: number; weightDecay: number },
  ) {
    this.firstMoment = new Float64Array(values.length);
    this.secondMoment = new Float64Array(values.length);
  }

  step(gradient: ArrayLike<number>, learningRate: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    this.steps += 1;
    for (let index = 0; index < this.values.length; index++) {
      const g = gradient[index] as number;
      let p = (this.values[index] as number) * (1 - learningRate * weightDecay);
      const m = beta1 * (this.firstMoment[index] as number) + (1 - beta1) * g;
      const v = beta2 * (this.secondMoment[index] as number) + (1 - beta2) * g * g;
      this.firstMoment[index] = m;
      this.secondMoment[index] = v;
      const mHat = m / (1 - beta1 ** this.steps);
      const vHat = v / (1 - beta2 ** this.steps);
      p -= (learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
      this.values[index] = p;
    }
  }
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index++) {
    expect(Math.abs((actual[index] as number) - (expected[index] as number))).toBeLessThanOrEqual(tolerance);
  }
}

describe('AdamW', () => {
  it('has the RecA/Harmon defaults', () => {
    const optimizer = new AdamW();
    expect(optimizer.config).toMatchObject({ learningRate: 1e-5, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.02 });
    const matrix = tf.variable(tf.zeros([2, 2]));
    const bias = tf.variable(tf.zeros([2]));
    expect(defaultAdamWConfig.excludeFromWeightDecay('weight', matrix)).toBe(false);
    expect(defaultAdamWConfig.excludeFromWeightDecay('bias', bias)).toBe(true);
    tf.dispose([matrix, bias]);
  });

  it('matches a Float64 reference over several steps, decaying matrices and not biases, with a varying learning rate', () => {
    const random = new SeededRandom('adamw');
    const settings = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1 };
    const weightValues = random.normalArray(12);
    const biasValues = random.normalArray(4);
    const weight = tf.variable(tf.tensor(weightValues, [3, 4]));
    const bias = tf.variable(tf.tensor(biasValues, [4]));
    const referenceWeight = new ReferenceAdamW(Float64Array.from(weightValues), settings);
    const referenceBias = new ReferenceAdamW(Float64Array.from(biasValues), { ...settings, weightDecay: 0 });
    const optimizer = new AdamW({ ...settings, learningRate: 0.05 });
    const parameters = [
      ['weight', weight],
      ['bias', bias],
    ] as const;
    const learningRates = [0.05, 0.01, 0.02, 0.03, 0.05, 0.04];
    for (const learningRate of learningRates) {
      // Gradients of varying scale so m̂/√v̂ is not ±1 everywhere.
      const weightGradient = random.normalArray(12, 0, 0.5);
      const biasGradient = random.normalArray(4, 0.2, 2);
      const gradients = { weight: tf.tensor(weightGradient, [3, 4]), bias: tf.tensor(biasGradient, [4]) };
      optimizer.applyGradients(parameters, gradients, learningRate);
      tf.dispose(gradients);
      referenceWeight.step(weightGradient, learningRate);
      referenceBias.step(biasGradient, learningRate);
    }
    expect(optimizer.iterations).toBe(learningRates.length);
    expectClose(weight.dataSync(), referenceWeight.values, 2e-6);
    expectClose(bias.dataSync(), referenceBias.values, 2e-6);
    // The weight decay made a difference the tolerance can see (the same run without decay ends elsewhere).
    const moved = Array.from(weightValues).some((value, index) => Math.abs(value - (referenceWeight.values[index] as number)) > 1e-2);
    expect(moved).toBe(true);
    optimizer.dispose();
    tf.dispose([weight, bias]);
  });

  it('applies the default tiny learning rate (1e-5) exactly enough to see the step', () => {
    const weight = tf.variable(tf.tensor([[1, -2], [0.5, 3]]));
    const optimizer = new AdamW();
    const reference = new ReferenceAdamW(Float64Array.from([1, -2, 0.5, 3]), { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.02 });
    const gradient = tf.tensor([[0.3, -0.1], [2, -5]]);
    optimizer.applyGradients([['weight', weight]], { weight: gradient });
    reference.step([0.3, -0.1, 2, -5], 1e-5);
    // First Adam step moves each entry by ≈ lr·sign(g) = 1e-5; float32 near 3 resolves 2.4e-7.
    expectClose(weight.dataSync(), reference.values, 3e-7);
    expect(weight.dataSync()[3]).toBeGreaterThan(3);
    optimizer.dispose();
    tf.dispose([weight, gradient]);
  });

  it('honours a custom weight-decay exclusion', () => {
    const settings = { beta1: 0.8, beta2: 0.9, epsilon: 1e-6, weightDecay: 0.5 };
    const embedding = tf.variable(tf.tensor([[1, 2], [3, 4]]));
    const projection = tf.variable(tf.tensor([[1, 2], [3, 4]]));
    const optimizer = new AdamW({ ...settings, excludeFromWeightDecay: (name) => name.startsWith('embedding') });
    const references = {
      embedding: new ReferenceAdamW(Float64Array.from([1, 2, 3, 4]), { ...settings, weightDecay: 0 }),
      projection: new ReferenceAdamW(Float64Array.from([1, 2, 3, 4]), settings),
    };
    for (const gradientValues of [[0.1, -0.2, 0.3, 0.4], [1, 1, -1, 0.5], [0.01, -0.3, 0.2, 0]]) {
      const gradients = { embedding: tf.tensor(gradientValues, [2, 2]), projection: tf.tensor(gradientValues, [2, 2]) };
      optimizer.applyGradients([['embedding', embedding], ['projection', projection]], gradients, 0.1);
      tf.dispose(gradients);
      references.embedding.step(gradientValues, 0.1);
      references.projection.step(gradientValues, 0.1);
    }
    expectClose(embedding.dataSync(), references.embedding.values, 1e-6);
    expectClose(projection.dataSync(), references.projection.values, 1e-6);
    expect(Math.abs((embedding.dataSync()[3] as number) - (projection.dataSync()[3] as number))).toBeGreaterThan(0.05);
    optimizer.dispose();
    tf.dispose([embedding, projection]);
  });

  it('skips a parameter without a gradient (no decay, no moment update, its bias-correction step does not advance)', () => {
    const settings = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1 };
    const first = tf.variable(tf.tensor([[1, 2]]));
    const second = tf.variable(tf.tensor([[3, 4]]));
    const referenceFirst = new ReferenceAdamW(Float64Array.from([1, 2]), settings);
    const referenceSecond = new ReferenceAdamW(Float64Array.from([3, 4]), settings);
    const optimizer = new AdamW(settings);
    const parameters = [['first', first], ['second', second]] as const;
    const schedule: Array<{ first?: number[]; second?: number[] }> = [
      { first: [0.5, -1] },
      { first: [0.2, 0.1], second: [1, -2] },
      { second: [0.3, 0.3] },
      { first: [-0.4, 0.7], second: [0.1, 0.9] },
    ];
    for (const entry of schedule) {
      const gradients: Record<string, tf.Tensor> = {};
      if (entry.first) gradients.first = tf.tensor(entry.first, [1, 2]);
      if (entry.second) gradients.second = tf.tensor(entry.second, [1, 2]);
      const secondBefore = second.dataSync().slice();
      optimizer.applyGradients(parameters, gradients, 0.1);
      if (!entry.second) expect(Array.from(second.dataSync())).toEqual(Array.from(secondBefore));
      tf.dispose(Object.values(gradients));
      if (entry.first) referenceFirst.step(entry.first, 0.1);
      if (entry.second) referenceSecond.step(entry.second, 0.1);
    }
    expectClose(first.dataSync(), referenceFirst.values, 1e-6);
    expectClose(second.dataSync(), referenceSecond.values, 1e-6);
    expect(optimizer.getStateScalars()).toEqual({ iterations: 4, steps: { first: 3, second: 3 } });
    optimizer.dispose();
    tf.dispose([first, second]);
  });

  it('throws ShapeMismatchError naming the parameter and updates nothing', () => {
    const weight = tf.variable(tf.tensor([[1, 2], [3, 4]]));
    const bias = tf.variable(tf.tensor([1, 2]));
    const optimizer = new AdamW({ learningRate: 0.1 });
    const gradients = { bias: tf.tensor([1, 1]), weight: tf.tensor([1, 2, 3, 4]) };
    let caught: unknown;
    try {
      optimizer.applyGradients([['bias', bias], ['weight', weight]], gradients);
    } catch (error) {
      caught = error;
    }
    expect(ShapeMismatchError.isInstance(caught)).toBe(true);
    const error = caught as ShapeMismatchError;
    expect(error.tensorName).toBe('weight');
    expect(error.expected).toEqual([2, 2]);
    expect(error.actual).toEqual([4]);
    expect(error.message).toContain("'weight'");
    expect(Array.from(bias.dataSync())).toEqual([1, 2]);
    expect(optimizer.iterations).toBe(0);
    expect(optimizer.getState()).toEqual({});
    tf.dispose([weight, bias, ...Object.values(gradients)]);
  });

  it('rejects a gradient that belongs to no parameter, duplicate names and bad settings', () => {
    const weight = tf.variable(tf.tensor([1, 2]));
    const gradient = tf.tensor([1, 1]);
    const optimizer = new AdamW();
    expect(() => optimizer.applyGradients([['weight', weight]], { wieght: gradient })).toThrow(/wieght/);
    expect(() => optimizer.applyGradients([['weight', weight], ['weight', weight]], {})).toThrow(/duplicate/);
    expect(() => optimizer.applyGradients([['weight', weight]], { weight: gradient }, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => new AdamW({ beta2: 1 })).toThrow(/beta2/);
    expect(() => new AdamW({ weightDecay: -1 })).toThrow(/weightDecay/);
    tf.dispose([weight, gradient]);
  });

  it('multiplies every gradient by gradientScale first (bit-equal to pre-scaled gradients) and rejects a bad scale', () => {
    const run = (scaleInside: boolean) => {
      const parameter = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]]));
      const optimizer = new AdamW({ learningRate: 0.1, epsilon: 0.3 });
      for (const values of [[1, -2, 0.5, 3], [-1, 0.25, 2, -0.5]]) {
        const gradient = tf.tensor2d(values, [2, 2]);
        const scaled = tf.mul(gradient, tf.scalar(0.4));
        if (scaleInside) optimizer.applyGradients([['w', parameter]], { w: gradient }, undefined, 0.4);
        else optimizer.applyGradients([['w', parameter]], { w: scaled });
        tf.dispose([gradient, scaled]);
      }
      const values = Array.from(parameter.dataSync());
      optimizer.dispose();
      parameter.dispose();
      return values;
    };
    expect(run(true)).toEqual(run(false));
    const parameter = tf.variable(tf.zeros([2]));
    const optimizer = new AdamW();
    const gradient = tf.ones([2]);
    expect(() => optimizer.applyGradients([['p', parameter]], { p: gradient }, undefined, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => optimizer.applyGradients([['p', parameter]], { p: gradient }, undefined, -1)).toThrow(InvalidArgumentError);
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });

  it('keeps tf.memory().numTensors flat after the first step', () => {
    const random = new SeededRandom(3);
    const parameters = [
      ['a', tf.variable(random.normalTensor([8, 8]))],
      ['b', tf.variable(random.normalTensor([8]))],
      ['c', tf.variable(random.normalTensor([2, 3, 4]))],
    ] as const;
    const optimizer = new AdamW({ learningRate: 1e-3 });
    const step = () => {
      const gradients = Object.fromEntries(parameters.map(([name, variable]) => [name, random.normalTensor(variable.shape)]));
      optimizer.applyGradients(parameters, gradients);
      tf.dispose(Object.values(gradients));
    };
    const before = tf.memory().numTensors;
    step();
    const afterFirst = tf.memory().numTensors;
    // Two moments per parameter plus five cached scalar constants.
    expect(afterFirst - before).toBe(2 * parameters.length + 5);
    for (let index = 0; index < 5; index++) step();
    expect(tf.memory().numTensors).toBe(afterFirst);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(parameters.map(([, variable]) => variable));
  });

  it('resumes exactly from getState/getStateScalars into a fresh optimiser', () => {
    const random = new SeededRandom('resume');
    const initial = random.normalArray(6);
    const gradientsPerStep = Array.from({ length: 5 }, () => random.normalArray(6));
    const run = (optimizer: AdamW, variable: tf.Variable, from: number, to: number) => {
      for (let index = from; index < to; index++) {
        const gradient = tf.tensor(gradientsPerStep[index] as Float32Array, [2, 3]);
        optimizer.applyGradients([['weight', variable]], { weight: gradient }, 0.01);
        gradient.dispose();
      }
    };
    const straight = tf.variable(tf.tensor(initial, [2, 3]));
    const straightOptimizer = new AdamW();
    run(straightOptimizer, straight, 0, 5);

    const resumed = tf.variable(tf.tensor(initial, [2, 3]));
    const firstHalf = new AdamW();
    run(firstHalf, resumed, 0, 3);
    // Round-trip through plain arrays, as a checkpoint would.
    const saved = Object.fromEntries(
      Object.entries(firstHalf.getState()).map(([key, tensor]) => [key, { values: tensor.dataSync().slice(), shape: tensor.shape }]),
    );
    expect(Object.keys(saved).sort()).toEqual(['exp_avg.weight', 'exp_avg_sq.weight']);
    const scalars = JSON.parse(JSON.stringify(firstHalf.getStateScalars()));
    firstHalf.dispose();
    const secondHalf = new AdamW();
    const loaded = Object.fromEntries(Object.entries(saved).map(([key, { values, shape }]) => [key, tf.tensor(values, shape)]));
    secondHalf.setState(loaded, scalars);
    tf.dispose(Object.values(loaded)); // setState copied them
    expect(secondHalf.iterations).toBe(3);
    run(secondHalf, resumed, 3, 5);
    expect(Array.from(resumed.dataSync())).toEqual(Array.from(straight.dataSync()));
    expect(() => secondHalf.setState({ 'exp_avg.weight': tf.zeros([2, 3]) }, { iterations: 1 })).toThrow(/exp_avg_sq\.weight/);
    straightOptimizer.dispose();
    secondHalf.dispose();
    tf.dispose([straight, resumed]);
  });

  it('rejects restored moments whose shape does not fit the parameter', () => {
    const optimizer = new AdamW();
    const moments = { 'exp_avg.weight': tf.zeros([3]), 'exp_avg_sq.weight': tf.zeros([3]) };
    optimizer.setState(moments, { iterations: 2 });
    tf.dispose(Object.values(moments));
    const weight = tf.variable(tf.zeros([2, 2]));
    const gradient = tf.ones([2, 2]);
    expect(() => optimizer.applyGradients([['weight', weight]], { weight: gradient })).toThrow(/exp_avg\.weight/);
    optimizer.dispose();
    tf.dispose([weight, gradient]);
  });
});
