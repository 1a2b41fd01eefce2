import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { approximateStandardNormalCdf, discretizedGaussianLogLikelihood } from './discretized-gaussian-log-likelihood.js';
import { GaussianDiffusion } from './gaussian-diffusion.js';
import { GaussianDiffusionSchedule } from './gaussian-diffusion-schedule.js';
import { normalKl } from './normal-kl.js';

const approximateCdf = (value: number) => 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (value + 0.044715 * value ** 3)));

/** ADM's training loss for one row, in float64 (the reference). */
function referenceRowLoss(schedule: GaussianDiffusionSchedule, step: number, start: number[], noise: number[], output: number[], learned: boolean): number {
  const channels = start.length;
  const alphaBar = schedule.alphasCumprod[step] as number;
  const noisy = start.map((value, index) => Math.sqrt(alphaBar) * value + Math.sqrt(1 - alphaBar) * (noise[index] as number));
  const epsilon = output.slice(0, channels);
  const meanSquaredError = noise.reduce((sum, value, index) => sum + (value - (epsilon[index] as number)) ** 2, 0) / channels;
  if (!learned) return meanSquaredError;
  const minimum = schedule.posteriorLogVarianceClipped[step] as number;
  const maximum = Math.log(schedule.betas[step] as number);
  const coefficient1 = schedule.posteriorMeanCoefficient1[step] as number;
  const coefficient2 = schedule.posteriorMeanCoefficient2[step] as number;
  let bound = 0;
  for (let channel = 0; channel < channels; channel++) {
    const fraction = ((output[channels + channel] as number) + 1) / 2;
    const logVariance = fraction * maximum + (1 - fraction) * minimum;
    const predictedStart = Math.sqrt(1 / alphaBar) * (noisy[channel] as number) - Math.sqrt(1 / alphaBar - 1) * (epsilon[channel] as number);
    const modelMean = coefficient1 * predictedStart + coefficient2 * (noisy[channel] as number);
    const trueMean = coefficient1 * (start[channel] as number) + coefficient2 * (noisy[channel] as number);
    if (step === 0) {
      const inverse = Math.exp(-0.5 * logVariance);
      const centered = (start[channel] as number) - modelMean;
      const delta = approximateCdf(inverse * (centered + 1 / 255)) - approximateCdf(inverse * (centered - 1 / 255));
      bound += -Math.log(Math.max(delta, 1e-12));
    } else {
      bound += 0.5 * (-1 + logVariance - minimum + Math.exp(minimum - logVariance) + (trueMean - modelMean) ** 2 * Math.exp(-logVariance));
    }
  }
  return meanSquaredError + bound / channels / Math.LN2;
}

describe('GaussianDiffusion', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const schedule = GaussianDiffusionSchedule.cosine();

  for (const varianceType of ['learned-range', 'fixed-large'] as const) {
    it(`computes ADM's per-row training loss (${varianceType}: ε-MSE${varianceType === 'learned-range' ? ' + VLB in bits' : ''})`, () => {
      const random = new SeededRandom(7);
      const diffusion = new GaussianDiffusion(schedule, varianceType);
      const rows = 5;
      const channels = 3;
      const timesteps = Int32Array.from([0, 1, 250, 700, 999]);
      const start = random.normalTensor([rows, channels], 0, 0.5) as tf.Tensor2D;
      const noise = random.normalTensor([rows, channels]) as tf.Tensor2D;
      const output = random.uniformTensor([rows, diffusion.outputChannels(channels)], -0.9, 0.9) as tf.Tensor2D;
      const seen: number[][] = [];
      const loss = diffusion.trainingLoss({
        start,
        noise,
        timesteps,
        network: (_noisy, originalTimesteps) => {
          seen.push(Array.from(originalTimesteps.dataSync()));
          return output.clone();
        },
      });
      expect(seen).toEqual([[0, 1, 250, 700, 999]]);
      const values = loss.dataSync();
      const [startRows, noiseRows, outputRows] = [start, noise, output].map((tensor) => tensor.arraySync() as number[][]);
      for (let row = 0; row < rows; row++) {
        const expected = referenceRowLoss(schedule, timesteps[row] as number, startRows[row]!, noiseRows[row]!, outputRows[row]!, varianceType === 'learned-range');
        expect(values[row]).toBeCloseTo(expected, 3);
      }
      tf.dispose([start, noise, output, loss]);
    });
  }

  it('trains ε only through the MSE (the bound sees ε frozen) and the variance only through the bound', () => {
    const random = new SeededRandom(8);
    const diffusion = new GaussianDiffusion(schedule, 'learned-range');
    const start = random.normalTensor([2, 2]) as tf.Tensor2D;
    const noise = random.normalTensor([2, 2]) as tf.Tensor2D;
    const output = tf.variable(random.uniformTensor([2, 4], -0.5, 0.5));
    const timesteps = Int32Array.from([10, 400]);
    const { grads, value } = tf.variableGrads(() => tf.sum(diffusion.trainingLoss({ start, noise, timesteps, network: () => output as unknown as tf.Tensor2D })) as tf.Scalar, [output]);
    const gradient = grads[output.name]!.arraySync() as number[][];
    const outputRows = output.arraySync() as number[][];
    const noiseRows = noise.arraySync() as number[][];
    for (let row = 0; row < 2; row++) {
      for (let channel = 0; channel < 2; channel++) {
        expect(gradient[row]![channel]).toBeCloseTo((-2 * (noiseRows[row]![channel]! - outputRows[row]![channel]!)) / 2, 5);
        expect(Math.abs(gradient[row]![2 + channel]!)).toBeGreaterThan(0);
      }
    }
    tf.dispose([start, noise, output, value, ...Object.values(grads)]);
  });

  it('adds noise as √ᾱ x₀ + √(1 − ᾱ) ε', () => {
    const diffusion = new GaussianDiffusion(schedule, 'fixed-large');
    const start = tf.tensor2d([[1, -2]]);
    const noise = tf.tensor2d([[0.5, 3]]);
    const noisy = diffusion.addNoise(start, noise, Int32Array.from([300])).dataSync();
    const alphaBar = schedule.alphasCumprod[300] as number;
    expect(noisy[0]).toBeCloseTo(Math.sqrt(alphaBar) + Math.sqrt(1 - alphaBar) * 0.5, 5);
    expect(noisy[1]).toBeCloseTo(-2 * Math.sqrt(alphaBar) + 3 * Math.sqrt(1 - alphaBar), 5);
    tf.dispose([start, noise]);
  });
});

describe('normalKl and discretizedGaussianLogLikelihood', () => {
  it('gives the closed-form KL of two normals', () => {
    const kl = normalKl(tf.tensor1d([0, 1]), tf.tensor1d([0, Math.log(4)]), tf.tensor1d([0, -1]), tf.tensor1d([Math.log(2), 0])).dataSync();
    // KL(N(0,1) ‖ N(0,2)) = ½(ln 2 + 1/2 − 1); KL(N(1,4) ‖ N(−1,1)) = ½(−ln 4 + 4 + 4 − 1).
    expect(kl[0]).toBeCloseTo(0.5 * (Math.log(2) + 0.5 - 1), 5);
    expect(kl[1]).toBeCloseTo(0.5 * (-Math.log(4) + 4 + 4 - 1), 5);
  });

  it("follows ADM's discretised likelihood: bin mass inside, open tails at ±1", () => {
    const values = tf.tensor1d([0.2, -1, 1]);
    const means = tf.tensor1d([0.25, -0.9, 0.95]);
    const logScales = tf.tensor1d([Math.log(0.1), Math.log(0.2), Math.log(0.05)]);
    const result = discretizedGaussianLogLikelihood(values, means, logScales).dataSync();
    expect(result[0]).toBeCloseTo(Math.log(approximateCdf((0.2 - 0.25 + 1 / 255) / 0.1) - approximateCdf((0.2 - 0.25 - 1 / 255) / 0.1)), 4);
    expect(result[1]).toBeCloseTo(Math.log(approximateCdf((-1 + 0.9 + 1 / 255) / 0.2)), 4);
    expect(result[2]).toBeCloseTo(Math.log(1 - approximateCdf((1 - 0.95 - 1 / 255) / 0.05)), 4);
    expect(approximateStandardNormalCdf(tf.scalar(0)).dataSync()[0]).toBeCloseTo(0.5, 6);
  });
});
