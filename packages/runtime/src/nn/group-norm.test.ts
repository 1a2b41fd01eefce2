import { gradientCheck } from '../ops/numerical-gradient.js';
import { SeededRandom } from '../random/seeded-random.js';
import { tf } from '../tf.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupNorm } from './group-norm.js';
import { upsampleNearest2x } from './upsample-nearest.js';

describe('GroupNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('normalises each group over its channels and pixels (biased variance), then scales and shifts per channel', () => {
    const random = new SeededRandom(3);
    const norm = new GroupNorm({ numGroups: 2, numChannels: 4, epsilon: 1e-6 });
    norm.weight.assign(tf.tensor1d([1, 2, 3, 4]));
    norm.bias.assign(tf.tensor1d([0.5, -0.5, 0, 1]));
    const input = random.normalTensor([2, 3, 3, 4], 1, 2) as tf.Tensor4D;
    const values = input.dataSync();
    const actual = norm.forward(input).dataSync();
    for (let sample = 0; sample < 2; sample++) {
      for (let group = 0; group < 2; group++) {
        const members: number[] = [];
        for (let pixel = 0; pixel < 9; pixel++) for (let channel = group * 2; channel < group * 2 + 2; channel++) members.push(sample * 36 + pixel * 4 + channel);
        const mean = members.reduce((sum, index) => sum + (values[index] as number), 0) / members.length;
        const variance = members.reduce((sum, index) => sum + ((values[index] as number) - mean) ** 2, 0) / members.length;
        for (const index of members) {
          const channel = index % 4;
          const expected = (((values[index] as number) - mean) / Math.sqrt(variance + 1e-6)) * [1, 2, 3, 4][channel]! + [0.5, -0.5, 0, 1][channel]!;
          expect(actual[index]).toBeCloseTo(expected, 4);
        }
      }
    }
    input.dispose();
    norm.dispose();
  });

  it('has analytic gradients equal to finite differences', () => {
    const random = new SeededRandom(4);
    const norm = new GroupNorm({ numGroups: 2, numChannels: 4 });
    norm.weight.assign(random.normalTensor([4]));
    norm.bias.assign(random.normalTensor([4]));
    const input = tf.variable(random.normalTensor([1, 2, 2, 4]));
    const target = random.normalTensor([1, 2, 2, 4]);
    const ratios = gradientCheck(() => tf.tidy(() => tf.sum(tf.mul(norm.forward(input as unknown as tf.Tensor4D), target)) as tf.Scalar), [input, ...norm.parameters()]);
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    norm.dispose();
  });

  it('rejects a group count that does not divide the channels', () => {
    expect(() => new GroupNorm({ numGroups: 3, numChannels: 4 })).toThrow(/numGroups/);
  });
});

describe('upsampleNearest2x', () => {
  it('repeats every pixel into a 2×2 block', () => {
    const input = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    const output = upsampleNearest2x(input);
    expect(output.shape).toEqual([1, 4, 4, 2]);
    const values = output.arraySync()[0] as number[][][];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(values[y]![x]).toEqual([[1, 10], [2, 20], [3, 30], [4, 40]][Math.floor(y / 2) * 2 + Math.floor(x / 2)]);
    tf.dispose([input, output]);
  });
});
