import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { applyActivation, geluErf, geluTanh, silu } from './activations.js';
import { gradientToleranceRatio, numericalGradient } from './numerical-gradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const inputs = [-3, -1, -0.25, 0, 0.5, 1, 2.5];

describe('activations', () => {
  it('match their formulas and published values', () => {
    const input = tf.tensor1d(inputs);
    const tanhValues = geluTanh(input).dataSync();
    const erfValues = geluErf(input).dataSync();
    const siluValues = silu(input).dataSync();
    inputs.forEach((value, index) => {
      const tanhReference = 0.5 * value * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (value + 0.044715 * value ** 3)));
      expect(tanhValues[index]).toBeCloseTo(tanhReference, 6);
      expect(siluValues[index]).toBeCloseTo(value / (1 + Math.exp(-value)), 6);
    });
    // torch.nn.functional.gelu(1.0) = 0.8413447, gelu(-1.0) = -0.1586553; tanh form at 1.0 = 0.8411920.
    expect(erfValues[5]).toBeCloseTo(0.8413447, 5);
    expect(erfValues[1]).toBeCloseTo(-0.1586553, 5);
    expect(tanhValues[5]).toBeCloseTo(0.841192, 5);
    tf.dispose(input);
  });

  it('have finite-difference gradients', () => {
    for (const name of ['gelu-tanh', 'gelu', 'silu'] as const) {
      const variable = tf.variable(tf.tensor1d(inputs));
      const loss = () => tf.sum(tf.mul(applyActivation(variable, name), tf.tensor1d([1, 2, 3, 4, 5, 6, 7]))) as tf.Scalar;
      const { grads } = tf.variableGrads(loss, [variable]);
      const ratio = gradientToleranceRatio(grads[variable.name]!.dataSync(), numericalGradient(loss, variable));
      expect(ratio, name).toBeLessThanOrEqual(1);
      tf.dispose([variable, grads[variable.name]!]);
    }
  });
});
