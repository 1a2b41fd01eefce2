import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { Mlp } from './mlp.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const geluTanh = (value: number) => 0.5 * value * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (value + 0.044715 * value ** 3)));

describe('Mlp', () => {
  it('computes fc2(gelu_tanh(fc1(x))) with timm names', () => {
    const random = new SeededRandom(1);
    const mlp = new Mlp({ inFeatures: 3, hiddenFeatures: 5, outFeatures: 2, random });
    expect(mlp.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['fc1.weight', [5, 3]], ['fc1.bias', [5]], ['fc2.weight', [2, 5]], ['fc2.bias', [2]],
    ]);
    const weights = Object.fromEntries([...mlp.namedWeights()].map(([name, value]) => [name, value.arraySync()])) as Record<string, number[][] & number[]>;
    const input = [0.5, -1, 2];
    const hidden = weights['fc1.weight']!.map((row: number[], out: number) => geluTanh(row.reduce((sum, w, c) => sum + w * input[c]!, 0) + weights['fc1.bias']![out]!));
    const expected = weights['fc2.weight']!.map((row: number[], out: number) => row.reduce((sum, w, c) => sum + w * hidden[c]!, 0) + weights['fc2.bias']![out]!);
    const inputTensor = tf.tensor2d([input]);
    const output = mlp.forward(inputTensor).dataSync();
    expected.forEach((value: number, index: number) => expect(output[index]).toBeCloseTo(value, 5));
    inputTensor.dispose();
    mlp.dispose();
  });

  it('supports sequential naming and other activations, with finite-difference gradients', () => {
    const random = new SeededRandom(2);
    const mlp = new Mlp({ inFeatures: 3, hiddenFeatures: 4, activation: 'silu', layerNames: ['0', '2'], random });
    expect(mlp.namedParameters().map(([name]) => name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const input = tf.variable(random.normalTensor([2, 3]));
    const target = random.normalTensor([2, 3]);
    const loss = () => tf.sum(tf.mul(mlp.forward(input), target)) as tf.Scalar;
    gradientCheck(loss, [...mlp.parameters(), input]).forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    mlp.dispose();
  });
});
