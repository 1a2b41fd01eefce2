import { tf } from '../tf.js';
import { describe, expect, it } from 'vitest';
import { gaussianBlurImages } from './gaussian-blur-images.js';
import { gaussianKernel } from './gaussian-kernel.js';

/** Reflect index into [0, size) without repeating the edge (… 2 1 | 0 1 2 … size-1 | size-2 …). */
function reflect(index: number, size: number): number {
  if (index < 0) return -index;
  if (index >= size) return 2 * (size - 1) - index;
  return index;
}

/** Direct 2-D convolution with the outer product of the 1-D Gaussian, written independently of the tensor code. */
function referenceBlur(values: Float32Array, height: number, width: number, channels: number, sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights: number[] = [];
  for (let offset = -radius; offset <= radius; offset++) weights.push(Math.exp(-(offset * offset) / (2 * sigma * sigma)));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const output = new Float64Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let channel = 0; channel < channels; channel++) {
        let sum = 0;
        for (let dy = -radius; dy <= radius; dy++) {
          for (let dx = -radius; dx <= radius; dx++) {
            const weight = ((weights[dy + radius] as number) * (weights[dx + radius] as number)) / (total * total);
            sum += weight * (values[(reflect(y + dy, height) * width + reflect(x + dx, width)) * channels + channel] as number);
          }
        }
        output[(y * width + x) * channels + channel] = sum;
      }
    }
  }
  return output;
}

describe('gaussianKernel', () => {
  it('is symmetric, sums to 1, has radius ceil(3σ) and the Gaussian ratio between taps', () => {
    const kernel = gaussianKernel(1.5);
    expect(kernel.length).toBe(11);
    expect(kernel.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 6);
    expect(kernel[0]).toBeCloseTo(kernel[10] as number, 8);
    expect((kernel[6] as number) / (kernel[5] as number)).toBeCloseTo(Math.exp(-1 / (2 * 1.5 * 1.5)), 6);
  });

  it('rejects a non-positive sigma', () => {
    expect(() => gaussianKernel(0)).toThrow(/sigma/);
  });
});

describe('gaussianBlurImages', () => {
  it('matches a direct 2-D convolution with reflected borders', async () => {
    const [batch, height, width, channels] = [2, 9, 7, 3];
    const values = Float32Array.from({ length: batch * height * width * channels }, (_, index) => ((index * 7919) % 101) / 100);
    const images = tf.tensor4d(values, [batch, height, width, channels]);
    const blurred = gaussianBlurImages(images, 1.2);
    const result = await blurred.data();
    const perImage = height * width * channels;
    for (let image = 0; image < batch; image++) {
      const expected = referenceBlur(values.subarray(image * perImage, (image + 1) * perImage), height, width, channels, 1.2);
      for (let index = 0; index < perImage; index++) expect(result[image * perImage + index]).toBeCloseTo(expected[index] as number, 5);
    }
    tf.dispose([images, blurred]);
  });

  it('keeps a constant image constant and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const images = tf.fill([1, 8, 8, 3], 0.25) as tf.Tensor4D;
    const blurred = gaussianBlurImages(images, 0.8);
    const values = await blurred.data();
    for (const value of values) expect(value).toBeCloseTo(0.25, 6);
    tf.dispose([images, blurred]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a kernel wider than the image', () => {
    const images = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => gaussianBlurImages(images, 2)).toThrow(/blur radius 6 px/);
    images.dispose();
  });
});
