import { Conv2d, gradientCheck, SeededRandom, tf, useBackend } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { colouredSquares } from '../__fixtures__/coloured-squares.js';
import { AutoencoderLatentSpace } from '../latent/autoencoder-latent-space.js';
import { PixelLatentSpace } from '../latent/pixel-latent-space.js';
import { Autoencoder } from './autoencoder.js';
import { calibrateLatentNormalization } from './calibrate-latent-normalization.js';
import { trainAutoencoder } from './train-autoencoder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** PyTorch `F.conv2d` on NHWC input with an OIHW weight, by direct summation. */
function referenceConv(input: tf.Tensor4D, weight: Float32Array, bias: Float32Array, kernel: number, stride: number, padding: number, outChannels: number): Float32Array {
  const [batch, height, width, inChannels] = input.shape;
  const values = input.dataSync();
  const outHeight = Math.floor((height + 2 * padding - kernel) / stride) + 1;
  const outWidth = Math.floor((width + 2 * padding - kernel) / stride) + 1;
  const output = new Float32Array(batch * outHeight * outWidth * outChannels);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < outHeight; y++)
      for (let x = 0; x < outWidth; x++)
        for (let o = 0; o < outChannels; o++) {
          let sum = bias[o] as number;
          for (let i = 0; i < inChannels; i++)
            for (let ky = 0; ky < kernel; ky++)
              for (let kx = 0; kx < kernel; kx++) {
                const row = y * stride + ky - padding;
                const column = x * stride + kx - padding;
                if (row < 0 || column < 0 || row >= height || column >= width) continue;
                sum += (values[((b * height + row) * width + column) * inChannels + i] as number) * (weight[((o * inChannels + i) * kernel + ky) * kernel + kx] as number);
              }
          output[((b * outHeight + y) * outWidth + x) * outChannels + o] = sum;
        }
  return output;
}

describe('Conv2d', () => {
  it('matches a direct PyTorch-semantics convolution (OIHW weights, symmetric zero padding, stride 1 and 2)', () => {
    const random = new SeededRandom(1);
    const input = random.normalTensor([2, 5, 6, 3]) as tf.Tensor4D;
    for (const [stride, padding] of [
      [1, 1],
      [2, 1],
      [2, 0],
    ] as const) {
      const conv = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, stride, padding, random });
      const output = conv.forward(input);
      const expected = referenceConv(input, conv.weight.dataSync() as Float32Array, (conv.bias as tf.Variable).dataSync() as Float32Array, 3, stride, padding, 4);
      expect(output.shape).toEqual([2, Math.floor((5 + 2 * padding - 3) / stride) + 1, Math.floor((6 + 2 * padding - 3) / stride) + 1, 4]);
      const actual = output.dataSync();
      expected.forEach((value, index) => expect(actual[index]).toBeCloseTo(value, 4));
      expect(conv.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
        ['weight', [4, 3, 3, 3]],
        ['bias', [4]],
      ]);
      output.dispose();
      conv.dispose();
    }
    input.dispose();
  });

  it('has gradients equal to finite differences (weight, bias, input)', () => {
    const random = new SeededRandom(2);
    const conv = new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, padding: 1, stride: 2, random });
    const input = tf.variable(random.normalTensor([1, 4, 4, 2]));
    const probe = random.normalTensor([1, 2, 2, 2]);
    const loss = () => tf.sum(tf.mul(tf.tanh(conv.forward(input as unknown as tf.Tensor4D)), probe)) as tf.Scalar;
    const ratios = gradientCheck(loss, [conv.weight, conv.bias as tf.Variable, input]);
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, probe]);
    conv.dispose();
  });
});

describe('Autoencoder', () => {
  it('has diffusers-style names and maps [b, s, s, 3] to [b, s/f, s/f, latentChannels] and back', () => {
    const autoencoder = new Autoencoder({ blockChannels: [4, 8, 8], latentChannels: 3 }, new SeededRandom(3));
    expect(autoencoder.downsamplingFactor).toBe(4);
    const names = autoencoder.namedParameters().map(([name]) => name);
    for (const name of [
      'encoder.conv_in.weight',
      'encoder.down_blocks.0.resnets.0.conv1.weight',
      'encoder.down_blocks.0.downsamplers.0.conv.weight',
      'encoder.down_blocks.1.downsamplers.0.conv.bias',
      'encoder.mid_block.resnets.0.conv2.weight',
      'encoder.conv_out.weight',
      'decoder.conv_in.weight',
      'decoder.mid_block.resnets.0.conv1.weight',
      'decoder.up_blocks.0.resnets.0.conv1.weight',
      'decoder.up_blocks.1.upsamplers.0.conv.weight',
      'decoder.conv_out.bias',
    ]) {
      expect(names).toContain(name);
    }
    const images = colouredSquares(2, 16, 1);
    const latents = autoencoder.encode(images);
    expect(latents.shape).toEqual([2, 4, 4, 3]);
    const decoded = autoencoder.decode(latents);
    expect(decoded.shape).toEqual([2, 16, 16, 3]);
    const values = decoded.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(() => autoencoder.encode(tf.zeros([1, 10, 10, 3]) as tf.Tensor4D)).toThrow(/downsampling factor 4/);
    tf.dispose([images, latents, decoded]);
    autoencoder.dispose();
  });

  it('trains from scratch on coloured squares (loss falls ten-fold), then is frozen and leaks nothing', async () => {
    // On wasm: the tfjs cpu backend needs ~3 s per convolutional training step, wasm ~0.1 s.
    await useBackend('wasm');
    try {
      const images = colouredSquares(24, 16, 4);
      const autoencoder = new Autoencoder({ blockChannels: [8, 16], latentChannels: 4 }, new SeededRandom(5));
      const before = tf.memory().numTensors;
      const result = await trainAutoencoder(autoencoder, { images, steps: 120, batchSize: 8, learningRate: 2e-3, random: new SeededRandom(6) });
      expect(tf.memory().numTensors).toBe(before);
      expect(result.losses).toHaveLength(120);
      const head = result.losses.slice(0, 3).reduce((sum, value) => sum + value, 0) / 3;
      expect(result.finalLoss, `losses ${result.losses.map((value) => value.toFixed(3)).join(' ')}`).toBeLessThan(head / 10);
      expect(autoencoder.namedParameters().every(([, variable]) => !variable.trainable)).toBe(true);
      images.dispose();
      autoencoder.dispose();
    } finally {
      await useBackend('cpu');
    }
  });

  it('calibrates the latent scale and shift to unit variance and zero mean, and round-trips through the latent space', async () => {
    const images = colouredSquares(8, 16, 7);
    const autoencoder = new Autoencoder({ blockChannels: [8, 16], latentChannels: 4 }, new SeededRandom(8));
    const latentSpace = new AutoencoderLatentSpace(autoencoder);
    const { scale, shift } = await calibrateLatentNormalization(latentSpace, { images });
    expect(latentSpace.scale).toBe(scale);
    expect(latentSpace.shift).toBe(shift);
    const normalised = latentSpace.encode(images);
    const { mean, variance } = tf.moments(normalised);
    expect(mean.dataSync()[0]).toBeCloseTo(0, 4);
    expect(variance.dataSync()[0]).toBeCloseTo(1, 3);
    // decode(encode) equals the autoencoder's own reconstruction: the normalisation cancels exactly.
    const throughSpace = latentSpace.decode(normalised);
    const raw = autoencoder.encode(images);
    const direct = autoencoder.decode(raw);
    expect(tf.max(tf.abs(tf.sub(throughSpace, direct))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([images, normalised, mean, variance, throughSpace, raw, direct]);
    autoencoder.dispose();
  });
});

describe('PixelLatentSpace', () => {
  it('maps [0, 1] pixels to (2x − 1 − shift)·scale and back exactly', () => {
    const space = new PixelLatentSpace(2, 0.5);
    const images = tf.tensor4d([0, 0.25, 1], [1, 1, 1, 3]);
    const latents = space.encode(images);
    expect(Array.from(latents.dataSync())).toEqual([-3, -2, 1]);
    expect(Array.from(space.decode(latents).dataSync())).toEqual([0, 0.25, 1]);
    expect(() => new PixelLatentSpace(0)).toThrow(/scale/);
    tf.dispose([images, latents]);
  });
});
