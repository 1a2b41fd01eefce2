import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { AdaLnModulation, modulate } from './ada-ln-modulation.js';
import { LayerNorm } from './layer-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('AdaLnModulation and modulate', () => {
  it('produces chunks of Linear(SiLU(c)) with DiT names; zero-initialised gives zeros', () => {
    const random = new SeededRandom(1);
    const modulation = new AdaLnModulation({ conditionDim: 3, chunkDim: 2, chunks: 3, random });
    expect(modulation.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['1.weight', [6, 3]], ['1.bias', [6]],
    ]);
    const weight = modulation.namedWeights().get('1.weight')!.arraySync() as number[][];
    const bias = modulation.namedWeights().get('1.bias')!.arraySync() as number[];
    const condition = [0.5, -2, 1];
    const activated = condition.map((value) => value / (1 + Math.exp(-value)));
    const flat = weight.map((row, out) => row.reduce((sum, w, c) => sum + w * activated[c]!, 0) + bias[out]!);
    const conditionTensor = tf.tensor2d([condition]);
    const chunks = modulation.forward(conditionTensor);
    expect(chunks).toHaveLength(3);
    chunks.forEach((chunk, index) => {
      expect(chunk.shape).toEqual([1, 2]);
      Array.from(chunk.dataSync()).forEach((value, column) => expect(value).toBeCloseTo(flat[index * 2 + column]!, 5));
    });
    const zero = new AdaLnModulation({ conditionDim: 3, chunkDim: 2, chunks: 6, zeroInitialize: true, random });
    zero.forward(conditionTensor).forEach((chunk) => expect(Array.from(chunk.dataSync())).toEqual([0, 0]));
    tf.dispose([conditionTensor, ...chunks]);
    modulation.dispose();
    zero.dispose();
  });

  it('modulate is x · (1 + scale) + shift broadcast over tokens', () => {
    const input = tf.tensor3d([[[1, 2], [3, 4]]]);
    const shift = tf.tensor2d([[0.5, -1]]);
    const scale = tf.tensor2d([[1, -0.5]]);
    expect(Array.from(modulate(input, shift, scale).dataSync())).toEqual([2.5, 0, 6.5, 1]);
    const flat = tf.tensor2d([[1, 2]]);
    expect(Array.from(modulate(flat, shift, scale).dataSync())).toEqual([2.5, 0]);
    const wrong = tf.zeros([1, 3]);
    expect(() => modulate(input, wrong, scale)).toThrow(ShapeMismatchError);
    tf.dispose([input, shift, scale, flat, wrong]);
  });

  it('a DiT-style modulated norm has finite-difference gradients', () => {
    const random = new SeededRandom(2);
    const modulation = new AdaLnModulation({ conditionDim: 3, chunkDim: 4, chunks: 2, random });
    const norm = new LayerNorm({ normalizedShape: 4, elementwiseAffine: false });
    const tokens = tf.variable(random.normalTensor([2, 3, 4]));
    const condition = tf.variable(random.normalTensor([2, 3]));
    const target = random.normalTensor([2, 3, 4]);
    const loss = () =>
      tf.tidy(() => {
        const [shift, scale] = modulation.forward(condition) as [tf.Tensor, tf.Tensor];
        return tf.sum(tf.mul(modulate(norm.forward(tokens), shift, scale), target)) as tf.Scalar;
      });
    gradientCheck(loss, [...modulation.parameters(), tokens, condition]).forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([tokens, condition, target]);
    modulation.dispose();
  });
});
