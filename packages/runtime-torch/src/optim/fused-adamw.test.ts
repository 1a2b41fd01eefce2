/**
 * @reca/runtime's AdamW on the torch backend runs the fused `RecaAdamUpdate` kernel, writing into the parameter and
 * moment storage when no other tfjs tensor shares it. Checks: the same trajectory as the composed update on the cpu
 * backend (with and without weight decay), and a clone that shares a parameter's data keeps its values.
 */
import { AdamW, SeededRandom, tf } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { nativeAvailability } from '../test-support/native-availability.js';

const availability = nativeAvailability();

/** Runs `steps` AdamW updates of two parameters (one decayed, one not) on `backend`; returns their final values. */
async function trajectory(backend: string, steps: number, gradientScale = 1, epsilon = 1e-8): Promise<{ matrix: Float32Array; bias: Float32Array; calls: number }> {
  await tf.setBackend(backend);
  const random = new SeededRandom('fused-adamw');
  const matrix = tf.variable(tf.tensor(random.normalArray(12, 0, 1), [3, 4]), true, `matrix-${backend}`);
  const bias = tf.variable(tf.tensor(random.normalArray(4, 0, 1), [4]), true, `bias-${backend}`);
  const optimizer = new AdamW({ learningRate: 1e-2, weightDecay: 0.1, epsilon });
  const gradientRandom = random.fork('gradients');
  const kernelCalls = new Set<string>();
  for (let step = 0; step < steps; step++) {
    const gradients = { matrix: tf.tensor(gradientRandom.normalArray(12, 0, 1), [3, 4]), bias: tf.tensor(gradientRandom.normalArray(4, 0, 1), [4]) };
    const profile = await tf.profile(() => optimizer.applyGradients([['matrix', matrix], ['bias', bias]], gradients, undefined, gradientScale));
    profile.kernels.forEach((kernel) => kernelCalls.add(kernel.name));
    tf.dispose(Object.values(gradients));
  }
  const result = { matrix: matrix.dataSync() as Float32Array, bias: bias.dataSync() as Float32Array, calls: kernelCalls.has('RecaAdamUpdate') ? 1 : 0 };
  optimizer.dispose();
  tf.dispose([matrix, bias]);
  return result;
}

describe('AdamW through the fused torch kernel', () => {
  if (!availability.available) {
    if (availability.required) {
      it('requires the libtorch addon (RECA_REQUIRE_BACKENDS includes torch)', () => {
        throw new Error(`the libtorch addon is required but unavailable: ${availability.reason}`);
      });
    } else {
      it.skip(`skipped: the libtorch addon is unavailable here — ${availability.reason}`, () => {});
    }
    return;
  }

  it('follows the composed update of the cpu backend over 20 steps (decayed matrix, undecayed bias)', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    const expected = await trajectory('cpu', 20);
    const actual = await trajectory('torch', 20);
    expect(expected.calls).toBe(0);
    expect(actual.calls).toBe(1);
    const closeTo = (a: Float32Array, b: Float32Array) => Math.max(...a.map((value, index) => Math.abs(value - (b[index] as number))));
    expect(closeTo(actual.matrix, expected.matrix)).toBeLessThan(1e-5);
    expect(closeTo(actual.bias, expected.bias)).toBeLessThan(1e-5);
  });

  it('applies a gradient scale (clipping) as the composed update does', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    // Adam's update is nearly invariant to a gradient scale (m/√v) except through ε: a large ε makes the scale show.
    const expected = await trajectory('cpu', 5, 0.3, 0.5);
    const actual = await trajectory('torch', 5, 0.3, 0.5);
    const unscaled = await trajectory('torch', 5, 1, 0.5);
    const largest = (a: Float32Array, b: Float32Array) => Math.max(...a.map((value, index) => Math.abs(value - (b[index] as number))));
    expect(largest(actual.matrix, expected.matrix)).toBeLessThan(1e-5);
    expect(largest(actual.matrix, unscaled.matrix)).toBeGreaterThan(1e-4);
  });

  it('leaves a clone that shares the parameter data untouched (no in-place write then)', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    const parameter = tf.variable(tf.tensor([1, 2, 3, 4], [4]), true, 'shared-parameter');
    const clone = parameter.clone(); // shares the data id (tfjs Identity)
    const optimizer = new AdamW({ learningRate: 0.5, weightDecay: 0 });
    const gradient = tf.tensor([1, -1, 1, -1], [4]);
    optimizer.applyGradients([['p', parameter]], { p: gradient });
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(parameter.dataSync())).not.toEqual([1, 2, 3, 4]);
    optimizer.dispose();
    tf.dispose([parameter, clone, gradient]);
  });
});
