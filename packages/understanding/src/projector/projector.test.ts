import { gradientCheck, SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { Projector } from './projector.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const exactGelu = (value: number): number => {
  // erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7).
  const x = Math.abs(value) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return 0.5 * value * (1 + Math.sign(value) * erf);
};

describe('Projector', () => {
  it('computes Linear → exact GELU → Linear with LLaVA sequential names', () => {
    const projector = new Projector({ inFeatures: 3, outFeatures: 2, hiddenFeatures: 4, random: new SeededRandom(0) });
    expect(projector.namedParameters().map(([name, variable]) => `${name}:${variable.shape.join('x')}`)).toEqual([
      '0.weight:4x3',
      '0.bias:4',
      '2.weight:2x4',
      '2.bias:2',
    ]);
    const input = [0.3, -1.2, 2];
    const weights = projector.namedWeights();
    const [w1, b1, w2, b2] = ['0.weight', '0.bias', '2.weight', '2.bias'].map((name) => weights.get(name)?.arraySync()) as [number[][], number[], number[][], number[]];
    const hidden = w1.map((row, index) => exactGelu(row.reduce((sum, weight, column) => sum + weight * input[column]!, b1[index]!)));
    const expected = w2.map((row, index) => row.reduce((sum, weight, column) => sum + weight * hidden[column]!, b2[index]!));
    const tensor = tf.tensor3d([[input]]);
    const output = projector.forward(tensor);
    expect(output.shape).toEqual([1, 1, 2]);
    const actual = output.dataSync();
    expected.forEach((value, index) => expect(actual[index]).toBeCloseTo(value, 5));
    tf.dispose([tensor, output]);
    projector.dispose();
  });

  it('has analytic gradients that match finite differences', () => {
    const projector = new Projector({ inFeatures: 3, outFeatures: 2, random: new SeededRandom(1) });
    const input = new SeededRandom(2).normalTensor([2, 3, 3]);
    const loss = () => tf.tidy(() => tf.sum(tf.square(projector.forward(input))) as tf.Scalar);
    for (const ratio of gradientCheck(loss, projector.parameters())) expect(ratio).toBeLessThanOrEqual(1);
    input.dispose();
    projector.dispose();
  });
});
