import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { llamaHiddenDim, SwiGluMlp } from './swiglu-mlp.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('SwiGluMlp', () => {
  it('computes w2(silu(w1 x) · w3 x) with LLaMA names and no bias', () => {
    const random = new SeededRandom(1);
    const mlp = new SwiGluMlp({ dim: 3, hiddenDim: 4, random });
    expect(mlp.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['w1.weight', [4, 3]], ['w2.weight', [3, 4]], ['w3.weight', [4, 3]],
    ]);
    const weight = (name: string) => mlp.namedWeights().get(name)!.arraySync() as number[][];
    const input = [1, -0.5, 0.25];
    const apply = (matrix: number[][], vector: number[]) => matrix.map((row) => row.reduce((sum, w, c) => sum + w * vector[c]!, 0));
    const gate = apply(weight('w1.weight'), input).map((value) => value / (1 + Math.exp(-value)));
    const up = apply(weight('w3.weight'), input);
    const expected = apply(weight('w2.weight'), gate.map((value, index) => value * up[index]!));
    const inputTensor = tf.tensor2d([input]);
    const output = mlp.forward(inputTensor).dataSync();
    expected.forEach((value, index) => expect(output[index]).toBeCloseTo(value, 5));
    inputTensor.dispose();
    mlp.dispose();
  });

  it('has finite-difference gradients and supports HF names', () => {
    const random = new SeededRandom(2);
    const mlp = new SwiGluMlp({ dim: 3, hiddenDim: 5, random, layerNames: ['gate_proj', 'down_proj', 'up_proj'] });
    expect(mlp.namedParameters().map(([name]) => name)).toEqual(['gate_proj.weight', 'down_proj.weight', 'up_proj.weight']);
    const input = tf.variable(random.normalTensor([2, 2, 3]));
    const target = random.normalTensor([2, 2, 3]);
    const loss = () => tf.sum(tf.mul(mlp.forward(input), target)) as tf.Scalar;
    gradientCheck(loss, [...mlp.parameters(), input]).forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    mlp.dispose();
  });

  it("derives LLaMA's hidden width", () => {
    expect(llamaHiddenDim(4096, 256)).toBe(11008);
    expect(llamaHiddenDim(5120, 256)).toBe(13824);
    expect(llamaHiddenDim(768, 32)).toBe(2048);
  });
});
