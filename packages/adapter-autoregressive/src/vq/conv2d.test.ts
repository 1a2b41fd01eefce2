import { gradientCheck, measureTensorLeak, SeededRandom, tf, useBackend } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv2d.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Direct PyTorch-semantics convolution (NHWC input, [out, in, k, k] weight) by loops. */
function referenceConv(input: number[][][][], weight: number[][][][], bias: number[], stride: number, padding: number): number[][][][] {
  const [height, width] = [input[0]!.length, input[0]![0]!.length];
  const kernel = weight[0]![0]!.length;
  const outHeight = Math.floor((height + 2 * padding - kernel) / stride) + 1;
  const outWidth = Math.floor((width + 2 * padding - kernel) / stride) + 1;
  return input.map((image) =>
    Array.from({ length: outHeight }, (_, row) =>
      Array.from({ length: outWidth }, (_, column) =>
        weight.map((filters, out) => {
          let sum = bias[out]!;
          filters.forEach((filter, channel) => {
            for (let kernelRow = 0; kernelRow < kernel; kernelRow++) {
              for (let kernelColumn = 0; kernelColumn < kernel; kernelColumn++) {
                const inRow = row * stride + kernelRow - padding;
                const inColumn = column * stride + kernelColumn - padding;
                if (inRow >= 0 && inRow < height && inColumn >= 0 && inColumn < width) sum += filter[kernelRow]![kernelColumn]! * image[inRow]![inColumn]![channel]!;
              }
            }
          });
          return sum;
        }),
      ),
    ),
  );
}

describe('Conv2d', () => {
  it('matches a direct PyTorch-semantics convolution (stride 1/2, padding 0/1, 1×1 and 3×3)', async () => {
    const random = new SeededRandom(0);
    for (const [kernelSize, stride, padding] of [
      [3, 1, 1],
      [3, 2, 0],
      [3, 2, 1],
      [1, 1, 0],
    ] as const) {
      const conv = new Conv2d({ inChannels: 2, outChannels: 3, kernelSize, stride, padding, random });
      const input = random.normalTensor([2, 5, 6, 2]) as tf.Tensor4D;
      const output = conv.forward(input);
      const expected = referenceConv((await input.array()) as number[][][][], (await conv.weight.array()) as number[][][][], (await conv.bias!.array()) as number[], stride, padding);
      expect(output.shape).toEqual([2, expected[0]!.length, expected[0]![0]!.length, 3]);
      const actual = (await output.array()).flat(3);
      expected.flat(3).forEach((value, index) => expect(actual[index]).toBeCloseTo(value, 5));
      tf.dispose([input, output]);
      conv.dispose();
    }
  });

  it('uses PyTorch parameter names, layout and default initialisation bound', () => {
    const conv = new Conv2d({ inChannels: 4, outChannels: 2, kernelSize: 3, random: new SeededRandom(1) });
    expect(conv.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['weight', [2, 4, 3, 3]],
      ['bias', [2]],
    ]);
    const bound = 1 / Math.sqrt(4 * 9);
    expect(Math.max(...Array.from(conv.weight.dataSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    conv.dispose();
  });

  it('has gradients that match finite differences', async () => {
    const random = new SeededRandom(2);
    const conv = new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padding: 1, random });
    const input = tf.variable(random.normalTensor([1, 4, 4, 2]));
    const target = random.normalTensor([1, 2, 2, 2]);
    const ratios = gradientCheck(() => tf.sum(tf.mul(conv.forward(input), target)) as tf.Scalar, [conv.weight, conv.bias!, input]);
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    conv.dispose();
  });

  it('does not leak tensors', async () => {
    const conv = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, random: new SeededRandom(3) });
    const input = tf.ones([1, 4, 4, 3]) as tf.Tensor4D;
    const { leaked } = await measureTensorLeak(async () => tf.tidy(() => void conv.forward(input)));
    expect(leaked).toBe(0);
    input.dispose();
    conv.dispose();
  });
});
