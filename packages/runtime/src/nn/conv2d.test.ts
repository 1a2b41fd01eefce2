import { gradientCheck } from '../ops/numerical-gradient.js';
import { SeededRandom } from '../random/seeded-random.js';
import { tf } from '../tf.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv2d.js';

/** Direct convolution in float64 with PyTorch's weight layout [out, in, kh, kw], channels-last input. */
function referenceConvolution(
  input: Float32Array,
  [batchSize, height, width, inChannels]: number[],
  weight: Float32Array,
  bias: Float32Array,
  outChannels: number,
  kernel: number,
  stride: number,
  [top, bottom, left, right]: number[],
): { values: Float64Array; shape: number[] } {
  const outHeight = Math.floor((height + top + bottom - kernel) / stride) + 1;
  const outWidth = Math.floor((width + left + right - kernel) / stride) + 1;
  const values = new Float64Array(batchSize * outHeight * outWidth * outChannels);
  for (let b = 0; b < batchSize; b++)
    for (let y = 0; y < outHeight; y++)
      for (let x = 0; x < outWidth; x++)
        for (let o = 0; o < outChannels; o++) {
          let sum = bias[o] as number;
          for (let dy = 0; dy < kernel; dy++)
            for (let dx = 0; dx < kernel; dx++) {
              const sourceY = y * stride + dy - top;
              const sourceX = x * stride + dx - left;
              if (sourceY < 0 || sourceY >= height || sourceX < 0 || sourceX >= width) continue;
              for (let i = 0; i < inChannels; i++) {
                sum += (input[((b * height + sourceY) * width + sourceX) * inChannels + i] as number) * (weight[((o * inChannels + i) * kernel + dy) * kernel + dx] as number);
              }
            }
          values[((b * outHeight + y) * outWidth + x) * outChannels + o] = sum;
        }
  return { values, shape: [batchSize, outHeight, outWidth, outChannels] };
}

describe('Conv2d', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [label, stride, padding] of [
    ['3×3, padding 1', 1, 1],
    ['3×3, stride 2, LDM padding (0, 1, 0, 1)', 2, [0, 1, 0, 1]],
    ['1×1', 1, 0],
  ] as const) {
    it(`matches a direct convolution with PyTorch's weight layout (${label})`, () => {
      const random = new SeededRandom(1);
      const kernel = label.startsWith('1×1') ? 1 : 3;
      const layer = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: kernel, stride, padding, random });
      const input = random.normalTensor([2, 6, 6, 3]) as tf.Tensor4D;
      const output = layer.forward(input);
      const pads = typeof padding === 'number' ? [padding, padding, padding, padding] : [...padding];
      const reference = referenceConvolution(
        input.dataSync() as Float32Array,
        input.shape,
        layer.weight.dataSync() as Float32Array,
        (layer.bias as tf.Variable).dataSync() as Float32Array,
        4,
        kernel,
        stride,
        pads,
      );
      expect(output.shape).toEqual(reference.shape);
      const actual = output.dataSync();
      reference.values.forEach((value, index) => expect(actual[index]).toBeCloseTo(value, 4));
      expect(layer.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
        ['weight', [4, 3, kernel, kernel]],
        ['bias', [4]],
      ]);
      tf.dispose([input, output]);
      layer.dispose();
    });
  }

  it('has analytic gradients equal to finite differences (stride 2, asymmetric padding)', () => {
    const random = new SeededRandom(2);
    const layer = new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: [0, 1, 0, 1], random });
    const input = tf.variable(random.normalTensor([1, 5, 5, 2]));
    const target = random.normalTensor([1, 2, 2, 3]); // ⌊(5 + 1 − 3) / 2⌋ + 1 = 2
    const ratios = gradientCheck(() => tf.tidy(() => tf.sum(tf.mul(layer.forward(input as unknown as tf.Tensor4D), target)) as tf.Scalar), [input, ...layer.parameters()]);
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    layer.dispose();
  });

  it('rejects inputs with the wrong channel count', () => {
    const layer = new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 1, random: new SeededRandom(0) });
    const input = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    expect(() => layer.forward(input)).toThrow(/Conv2d/);
    input.dispose();
    layer.dispose();
  });
});
