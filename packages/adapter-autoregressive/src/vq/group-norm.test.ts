import { gradientCheck, InvalidArgumentError, SeededRandom, tf, useBackend } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupNorm } from './group-norm.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('GroupNorm', () => {
  it('normalises each group of contiguous channels over space, per sample, then applies weight and bias', async () => {
    const random = new SeededRandom(0);
    const norm = new GroupNorm({ numGroups: 2, numChannels: 4, epsilon: 1e-6 });
    norm.weight.assign(tf.tensor1d([1, 2, 3, 4]));
    norm.bias.assign(tf.tensor1d([0.5, 0, -0.5, 1]));
    const input = random.normalTensor([2, 3, 2, 4]) as tf.Tensor4D;
    const values = (await input.array()) as number[][][][];
    const output = (await norm.forward(input).array()) as number[][][][];
    for (let sample = 0; sample < 2; sample++) {
      for (let group = 0; group < 2; group++) {
        const members: number[] = [];
        values[sample]!.forEach((row) => row.forEach((pixel) => members.push(pixel[2 * group]!, pixel[2 * group + 1]!)));
        const mean = members.reduce((sum, value) => sum + value, 0) / members.length;
        const variance = members.reduce((sum, value) => sum + (value - mean) ** 2, 0) / members.length;
        values[sample]!.forEach((row, rowIndex) =>
          row.forEach((pixel, columnIndex) => {
            for (const channel of [2 * group, 2 * group + 1]) {
              const expected = ((pixel[channel]! - mean) / Math.sqrt(variance + 1e-6)) * (channel + 1) + [0.5, 0, -0.5, 1][channel]!;
              expect(output[sample]![rowIndex]![columnIndex]![channel]).toBeCloseTo(expected, 4);
            }
          }),
        );
      }
    }
    input.dispose();
    norm.dispose();
  });

  it('has gradients that match finite differences', () => {
    const random = new SeededRandom(1);
    const norm = new GroupNorm({ numGroups: 2, numChannels: 4 });
    const input = tf.variable(random.normalTensor([1, 2, 2, 4]));
    const target = random.normalTensor([1, 2, 2, 4]);
    const ratios = gradientCheck(() => tf.sum(tf.mul(norm.forward(input), target)) as tf.Scalar, [norm.weight, norm.bias, input], { epsilon: 1e-2, relativeTolerance: 3e-2, absoluteTolerance: 3e-3 });
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    norm.dispose();
  });

  it('rejects a group count that does not divide the channels', () => {
    expect(() => new GroupNorm({ numGroups: 3, numChannels: 4 })).toThrow(InvalidArgumentError);
  });
});
