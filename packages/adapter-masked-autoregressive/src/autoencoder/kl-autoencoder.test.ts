import { SeededRandom, tf, useBackend } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { colouredSquares } from '../__fixtures__/coloured-squares.js';
import { DiagonalGaussianDistribution } from './diagonal-gaussian-distribution.js';
import { KlAutoencoder } from './kl-autoencoder.js';
import { PixelCodec } from './pixel-codec.js';
import { trainKlAutoencoder } from './train-kl-autoencoder.js';

const config = { baseChannels: 8, channelMultipliers: [1, 2, 2], numResBlocks: 1, latentChannels: 4, normGroups: 4, scalingFactor: 1 };

describe('KlAutoencoder', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("has LDM's AutoencoderKL names and downsamples by 2^(levels − 1)", () => {
    const autoencoder = new KlAutoencoder(config, new SeededRandom(0));
    const names = autoencoder.namedParameters().map(([name]) => name);
    for (const expected of [
      'encoder.conv_in.weight',
      'encoder.down.0.block.0.norm1.weight',
      'encoder.down.0.block.0.conv1.weight',
      'encoder.down.0.downsample.conv.weight',
      'encoder.down.1.block.0.nin_shortcut.weight',
      'encoder.mid.block_1.conv2.bias',
      'encoder.norm_out.weight',
      'encoder.conv_out.weight',
      'decoder.conv_in.weight',
      'decoder.mid.block_2.norm2.bias',
      'decoder.up.0.block.1.conv1.weight',
      'decoder.up.2.upsample.conv.weight',
      'decoder.conv_out.weight',
      'quant_conv.weight',
      'post_quant_conv.weight',
    ]) {
      expect(names, expected).toContain(expected);
    }
    expect(names).not.toContain('encoder.down.2.downsample.conv.weight');
    expect(names).not.toContain('decoder.up.0.upsample.conv.weight');
    expect(autoencoder.downsampleFactor).toBe(4);
    const { images } = colouredSquares(2, 16, 1);
    const latents = autoencoder.encode(images, { sample: false });
    expect(latents.shape).toEqual([2, 4, 4, 4]);
    const decoded = autoencoder.decode(latents);
    expect(decoded.shape).toEqual([2, 16, 16, 3]);
    const values = decoded.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    autoencoder.setScalingFactor(0.5);
    const scaled = autoencoder.encode(images, { sample: false });
    Array.from(scaled.dataSync()).forEach((value, index) => expect(value).toBeCloseTo((latents.dataSync()[index] as number) * 0.5, 5));
    expect(() => autoencoder.encode(images, { sample: true })).toThrow(/random/);
    tf.dispose([images, latents, decoded, scaled]);
    autoencoder.dispose();
  });

  it('trains briefly from scratch on coloured squares: the reconstruction error falls and the scaling factor is 1 / std', async () => {
    // wasm: the cpu backend's convolution gradients take ~9 s per step here, wasm ~0.2 s.
    await useBackend('wasm');
    const autoencoder = new KlAutoencoder(config, new SeededRandom(2));
    const { images } = colouredSquares(16, 16, 3);
    const result = await trainKlAutoencoder({ autoencoder, images, steps: 40, batchSize: 4, learningRate: 3e-3, random: new SeededRandom(4) });
    const head = result.reconstructionLosses.slice(0, 3).reduce((sum, value) => sum + value, 0) / 3;
    const tail = result.reconstructionLosses.slice(-3).reduce((sum, value) => sum + value, 0) / 3;
    expect(tail, result.reconstructionLosses.map((value) => value.toFixed(3)).join(' ')).toBeLessThan(head * 0.6);
    expect(autoencoder.parameters().every((variable) => variable.trainable)).toBe(true);
    const posterior = autoencoder.posterior(images);
    const standardDeviation = Math.sqrt(tf.moments(posterior.mean).variance.dataSync()[0] as number);
    expect(result.scalingFactor).toBeCloseTo(1 / standardDeviation, 3);
    expect(autoencoder.getConfig().scalingFactor).toBe(result.scalingFactor);
    posterior.dispose();
    images.dispose();
    autoencoder.dispose();
    await useBackend('cpu');
  });

  it('restores frozen flags after training', async () => {
    const autoencoder = new KlAutoencoder(config, new SeededRandom(5));
    autoencoder.setTrainable(false);
    const { images } = colouredSquares(2, 16, 6);
    await trainKlAutoencoder({ autoencoder, images, steps: 1, batchSize: 1, random: new SeededRandom(0), updateScalingFactor: false });
    expect(autoencoder.parameters().some((variable) => variable.trainable)).toBe(false);
    expect(autoencoder.scalingFactor).toBe(1);
    images.dispose();
    autoencoder.dispose();
  });
});

describe('DiagonalGaussianDistribution and PixelCodec', () => {
  it('samples mean + σ·ε from the stream and gives the closed-form KL to N(0, 1)', () => {
    const moments = tf.tensor4d([0.5, -1, Math.log(4), 0], [1, 1, 1, 4]);
    const posterior = new DiagonalGaussianDistribution(moments);
    expect(Array.from(posterior.kl().dataSync())[0]).toBeCloseTo(0.5 * (0.25 + 4 - 1 - Math.log(4)) + 0.5 * (1 + 1 - 1 - 0), 5);
    const sample = posterior.sample(new SeededRandom(1)).dataSync();
    const noise = new SeededRandom(1).normalArray(2);
    expect(sample[0]).toBeCloseTo(0.5 + 2 * (noise[0] as number), 5);
    expect(sample[1]).toBeCloseTo(-1 + (noise[1] as number), 5);
    posterior.dispose();
    moments.dispose();
  });

  it('maps pixels to [−1, 1] and back', () => {
    const codec = new PixelCodec();
    const images = tf.tensor4d([0, 0.25, 1], [1, 1, 1, 3]);
    const latents = codec.encode(images, { sample: true });
    expect(Array.from(latents.dataSync())).toEqual([-1, -0.5, 1]);
    expect(Array.from(codec.decode(latents).dataSync())).toEqual([0, 0.25, 1]);
    tf.dispose([images, latents]);
  });
});
