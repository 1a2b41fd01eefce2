import { measureTensorLeak, SeededRandom, tf, useBackend } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { VectorQuantizer } from './vector-quantizer.js';

beforeAll(async () => {
  await useBackend('cpu');
});

function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / Math.max(norm, 1e-12));
}

function nearest(vector: number[], codes: number[][]): number {
  let best = 0;
  let bestDistance = Infinity;
  codes.forEach((code, index) => {
    const distance = code.reduce((sum, value, channel) => sum + (value - vector[channel]!) ** 2, 0);
    if (distance < bestDistance) [best, bestDistance] = [index, distance];
  });
  return best;
}

describe('VectorQuantizer', () => {
  for (const l2Norm of [false, true]) {
    it(`picks the nearest code, with a straight-through estimator and the VQ losses (l2Norm ${l2Norm})`, async () => {
      const random = new SeededRandom(l2Norm ? 1 : 0);
      const quantizer = new VectorQuantizer({ codebookSize: 6, embedDim: 3, l2Norm, commitmentBeta: 0.25, random });
      quantizer.codebook.assign(random.normalTensor([6, 3]));
      const latents = tf.variable(random.normalTensor([2, 2, 2, 3]));
      const rawCodes = (await quantizer.codebook.array()) as number[][];
      const codes = l2Norm ? rawCodes.map(normalize) : rawCodes;
      const vectors = ((await latents.array()) as number[][][][]).flat(2).map((vector) => (l2Norm ? normalize(vector) : vector));
      const expectedIndices = vectors.map((vector) => nearest(vector, codes));

      const result = quantizer.quantize(latents as unknown as tf.Tensor4D);
      expect(Array.from(await result.indices.data())).toEqual(expectedIndices);
      const quantized = (await result.quantized.array()).flat(2);
      quantized.forEach((vector, position) => vector.forEach((value, channel) => expect(value).toBeCloseTo(codes[expectedIndices[position]!]![channel]!, 5)));
      const squared = vectors.reduce((sum, vector, position) => sum + vector.reduce((inner, value, channel) => inner + (value - codes[expectedIndices[position]!]![channel]!) ** 2, 0), 0) / (8 * 3);
      expect((await result.codebookLoss.data())[0]).toBeCloseTo(squared, 5);
      expect((await result.commitmentLoss.data())[0]).toBeCloseTo(0.25 * squared, 5);
      tf.dispose([result.quantized, result.indices, result.codebookLoss, result.commitmentLoss]);

      // Straight-through: d(sum(w · quantized))/d(prepared latents) = w; the codebook gets no gradient from it.
      const weights = random.normalTensor([2, 2, 2, 3]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(quantizer.quantize(latents as unknown as tf.Tensor4D).quantized, weights)) as tf.Scalar, [latents, quantizer.codebook]);
      const expectedGradient = l2Norm
        ? tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.div(input, tf.norm(input, 'euclidean', -1, true)), weights)))(latents))
        : weights.clone();
      const gradient = await grads[latents.name]!.data();
      (await expectedGradient.data()).forEach((value, index) => expect(gradient[index]).toBeCloseTo(value, 4));
      const codebookGradient = grads[quantizer.codebook.name];
      if (codebookGradient) expect(Math.max(...Array.from(await codebookGradient.data()).map(Math.abs))).toBe(0);
      tf.dispose([weights, expectedGradient, latents, ...Object.values(grads)]);
      quantizer.dispose();
    });
  }

  it('looks codes up by index and restarts chosen codes', async () => {
    const quantizer = new VectorQuantizer({ codebookSize: 4, embedDim: 2, l2Norm: false, commitmentBeta: 0.25, random: new SeededRandom(2) });
    quantizer.codebook.assign(tf.tensor2d([0, 0, 1, 0, 0, 1, 1, 1], [4, 2]));
    const looked = quantizer.lookup(tf.tensor3d([3, 1, 2, 0], [1, 2, 2], 'int32'));
    expect(Array.from(await looked.data())).toEqual([1, 1, 1, 0, 0, 1, 0, 0]);
    const vectors = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    quantizer.restartCodes([0, 2], vectors);
    expect(Array.from(await quantizer.codebook.data())).toEqual([5, 6, 1, 0, 7, 8, 1, 1]);
    tf.dispose([looked, vectors]);
    const latents = tf.ones([1, 2, 2, 2]) as tf.Tensor4D;
    const { leaked } = await measureTensorLeak(async () => {
      const result = quantizer.quantize(latents);
      tf.dispose([result.quantized, result.indices, result.codebookLoss, result.commitmentLoss]);
    });
    expect(leaked).toBe(0);
    latents.dispose();
    quantizer.dispose();
  });
});
