/**
 * @reca/runtime's AdamW on the torch backend runs the fused `RecaAdamUpdate` kernel, writing into the parameter and
 * moment storage when no other tfjs tensor shares it. Checks: the same trajectory as the composed update on the cpu
 * backend (with and without weight decay), and a clone that shares a parameter's data keeps its values.
 */
import { AdamW, globalNorm, SeededRandom, tf } from '@reca/runtime';
import { expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';

/** Runs `steps` AdamW updates of two parameters (one decayed, one not) on `backend`; returns their final values. */
async function trajectory(backend: string, steps: number, gradientScale = 1, epsilon = 1e-8): Promise<{ matrix: Float32Array; bias: Float32Array; calls: number }> {
  await tf.setBackend(backend);
  const random = new SeededRandom('fused-adamw');
  const matrix = tf.tidy(() => tf.variable(tf.tensor(random.normalArray(12, 0, 1), [3, 4]), true, `matrix-${backend}`));
  const bias = tf.tidy(() => tf.variable(tf.tensor(random.normalArray(4, 0, 1), [4]), true, `bias-${backend}`));
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

describeWithTorchAddon('AdamW through the fused torch kernel', () => {
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

  it('never writes into memory another tensor still sees: a clone, a reshaped view, a same-dtype cast, restored state', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    const parameter = tf.tidy(() => tf.variable(tf.tensor([1, 2, 3, 4], [4]), true, 'aliased-parameter'));
    const clone = parameter.clone(); // shares the data id (tfjs Identity)
    const optimizer = new AdamW({ learningRate: 0.5, weightDecay: 0 });
    const gradient = tf.tensor([1, -1, 1, -1], [4]);
    optimizer.applyGradients([['p', parameter]], { p: gradient });
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose(clone);
    // Tensors on the parameter's current memory: a native view (another shape, a new data id) and a same-dtype cast
    // (the same data id, one more reference).
    const before = Array.from(parameter.dataSync());
    const view = tf.reshape(parameter, [2, 2]);
    const cast = tf.cast(parameter, 'float32');
    optimizer.applyGradients([['p', parameter]], { p: gradient });
    expect(Array.from(view.dataSync())).toEqual(before);
    expect(Array.from(cast.dataSync())).toEqual(before);
    expect(Array.from(parameter.dataSync())).not.toEqual(before);

    // Moments restored from someone else's tensors, and one tensor given for both moments.
    const shared = tf.zeros([4]);
    const restored = new AdamW({ learningRate: 0.5, weightDecay: 0 });
    restored.setState({ 'exp_avg.p': shared, 'exp_avg_sq.p': shared }, { iterations: 2 });
    restored.applyGradients([['p', parameter]], { p: gradient });
    expect(Array.from(shared.dataSync())).toEqual([0, 0, 0, 0]);
    const state = restored.getState();
    const first = Array.from(state['exp_avg.p']?.dataSync() ?? []);
    const second = Array.from(state['exp_avg_sq.p']?.dataSync() ?? []);
    expect(first.map((value) => Math.abs(value))).toEqual([0.1, 0.1, 0.1, 0.1].map((value) => Math.fround(value)));
    expect(second.map((value) => Number(value.toFixed(6)))).toEqual([0.05, 0.05, 0.05, 0.05]); // (1 − β2)·g², β2 = 0.95
    tf.dispose([parameter, view, cast, gradient, shared]);
    optimizer.dispose();
    restored.dispose();
  });

  it('updates an owned and an aliased parameter in one fused call as the cpu backend does, leaving the alias data alone', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const owned = tf.tidy(() => tf.variable(tf.tensor([1, -2, 3, -4, 5, -6], [2, 3]), true, `owned-${backend}`));
      const aliased = tf.tidy(() => tf.variable(tf.tensor([0.5, 0.25], [2]), true, `aliased-${backend}`));
      const seen = aliased.clone(); // shares the aliased parameter's data id
      const optimizer = new AdamW({ learningRate: 0.1, weightDecay: 0.5 });
      const kernels = new Set<string>();
      for (let step = 0; step < 3; step++) {
        const gradients = { owned: tf.tensor([0.3, -0.1, 0.2, 0.4, -0.5, 0.6], [2, 3]), aliased: tf.tensor([-1, 2], [2]) };
        const profile = await tf.profile(() => optimizer.applyGradients([['owned', owned], ['aliased', aliased]], gradients));
        profile.kernels.forEach((kernel) => kernels.add(kernel.name));
        tf.dispose(Object.values(gradients));
      }
      const result = { owned: Array.from(owned.dataSync()), aliased: Array.from(aliased.dataSync()), seen: Array.from(seen.dataSync()), fused: kernels.has('RecaAdamUpdate') };
      optimizer.dispose();
      tf.dispose([owned, aliased, seen]);
      return result;
    };
    const expected = await run('cpu');
    const actual = await run('torch');
    expect(actual.fused).toBe(true);
    expect(expected.fused).toBe(false);
    expect(actual.seen).toEqual([0.5, 0.25]);
    expect(expected.seen).toEqual([0.5, 0.25]);
    for (const name of ['owned', 'aliased'] as const) {
      expect(Math.max(...actual[name].map((value, index) => Math.abs(value - (expected[name][index] as number))))).toBeLessThan(1e-6);
    }
    expect(actual.aliased).not.toEqual([0.5, 0.25]);
  });

  it('gives the same update in one multi-tensor pass or in chunks, matches the formula, and passes empty groups through', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    const random = new SeededRandom('adam-chunks');
    const shapes = [[3, 4], [0, 2], [5], [2, 2, 2]];
    const groups = shapes.map((shape, index) => {
      const size = shape.reduce((product, length) => product * length, 1);
      const draw = (offset = 0) => tf.tensor(random.normalArray(size).map((value) => Math.abs(value) * offset + value * (1 - offset)), shape);
      return { [`p${index}`]: draw(), [`g${index}`]: draw(), [`m${index}`]: draw(), [`v${index}`]: draw(1) };
    });
    const inputs = Object.assign({}, ...groups) as Record<string, tf.Tensor>;
    const count = shapes.length;
    const attributes = {
      beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradientScale: 0.5,
      stepSizes: [0.01, 0.02, 0.03, 0.04], rootBiasCorrections: [0.1, 0.2, 0.3, 0.4], decayFactors: [1, 0.99, 0.98, 1],
      momentsInPlace: new Array(count).fill(0), parameterInPlace: new Array(count).fill(0),
    };
    const update = (chunkBytes?: number) => {
      const outputs = tf.engine().runKernel('RecaAdamUpdate', inputs, { ...attributes, ...(chunkBytes === undefined ? {} : { chunkBytes }) }) as unknown as tf.Tensor[];
      const values = outputs.map((tensor) => Array.from(tensor.dataSync()));
      tf.dispose(outputs);
      return values;
    };
    const whole = update();
    expect(update(1)).toEqual(whole); // every group its own pass
    expect(update(40)).toEqual(whole); // the first group alone, then the other two together
    // The formula, group by group, in float64 (float32 inputs): m' = β1·m + (1 − β1)·s·g, v' = β2·v + (1 − β2)·(s·g)²,
    // p' = p·decay − step · m' / (√v' / rootBiasCorrection + ε).
    shapes.forEach((_, group) => {
      const read = (name: string) => Array.from((inputs[`${name}${group}`] as tf.Tensor).dataSync());
      const [p, g, m, v] = ['p', 'g', 'm', 'v'].map(read) as [number[], number[], number[], number[]];
      const first = m.map((value, index) => 0.9 * value + 0.1 * 0.5 * (g[index] as number));
      const second = v.map((value, index) => 0.999 * value + 0.001 * (0.5 * (g[index] as number)) ** 2);
      const parameter = p.map((value, index) => value * (attributes.decayFactors[group] as number) -
        (attributes.stepSizes[group] as number) * (first[index] as number) / (Math.sqrt(second[index] as number) / (attributes.rootBiasCorrections[group] as number) + 1e-8));
      const close = (actual: number[], expected: number[]) => Math.max(0, ...actual.map((value, index) => Math.abs(value - (expected[index] as number)) / Math.max(1, Math.abs(expected[index] as number))));
      expect(close(whole[group * 3] as number[], parameter)).toBeLessThan(1e-5);
      expect(close(whole[group * 3 + 1] as number[], first)).toBeLessThan(1e-6);
      expect(close(whole[group * 3 + 2] as number[], second)).toBeLessThan(1e-6);
    });
    expect(whole[3]).toEqual([]);
    expect(() => tf.engine().runKernel('RecaAdamUpdate', inputs, { ...attributes, chunkBytes: 0 })).toThrow(/chunkBytes/);
    tf.dispose(Object.values(inputs));
  });

  it('writes one memory at most once: the same tensor as two in-place parameters, a gradient that is a parameter', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    const parameter = tf.tensor([1, 2, 3]);
    const moments = () => [tf.zeros([3]), tf.zeros([3])];
    const [m0, v0, m1, v1] = [...moments(), ...moments()] as tf.Tensor[];
    const gradient = tf.tensor([0.5, -0.5, 1]);
    const attributes = {
      // lr 0.1 at step 1: stepSize = lr / (1 − β1), rootBiasCorrection = √(1 − β2).
      beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSizes: [1, 1], rootBiasCorrections: [Math.sqrt(0.001), Math.sqrt(0.001)], decayFactors: [1, 1],
      momentsInPlace: [1, 1], parameterInPlace: [1, 1],
    };
    // Group 0 and group 1 name the same parameter memory; group 1's gradient is that parameter too.
    const inputs = { p0: parameter, g0: gradient, m0, v0, p1: parameter, g1: parameter, m1, v1 };
    const outputs = tf.engine().runKernel('RecaAdamUpdate', inputs, attributes) as unknown as tf.Tensor[];
    // One Adam step from zero moments moves each element by lr·sign(g) = 0.1·sign(g), from the original values.
    const first = Array.from((outputs[0] as tf.Tensor).dataSync());
    const second = Array.from((outputs[3] as tf.Tensor).dataSync());
    expect(first.map((value) => Number(value.toFixed(4)))).toEqual([0.9, 2.1, 2.9]);
    expect(second.map((value) => Number(value.toFixed(4)))).toEqual([0.9, 1.9, 2.9]);
    tf.dispose([...outputs, parameter, gradient, m0, v0, m1, v1] as tf.Tensor[]);
  });

  it('updates nothing when a group cannot be fused (an int32 gradient takes the composed path)', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    const parameter = tf.tidy(() => tf.variable(tf.tensor([1, 2], [2]), true, 'int-gradient-parameter'));
    const optimizer = new AdamW({ learningRate: 0.1, weightDecay: 0 });
    const gradient = tf.tensor([1, -1], [2], 'int32');
    const profile = await tf.profile(() => optimizer.applyGradients([['p', parameter]], { p: gradient }));
    expect(profile.kernels.map((kernel) => kernel.name)).not.toContain('RecaAdamUpdate');
    expect(Array.from(parameter.dataSync()).map((value) => Number(value.toFixed(4)))).toEqual([0.9, 2.1]);
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });

  it('differentiates the fused global norm: ∂‖x‖/∂x = x / ‖x‖', async () => {
    await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    const a = tf.tensor([3, 0], [2]);
    const b = tf.tensor([[4]], [1, 1]);
    const [gradientA, gradientB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => globalNorm([x, y]))([a, b]);
    expect(Array.from(gradientA?.dataSync() ?? [])).toEqual([0.6, 0].map(Math.fround));
    expect(Array.from(gradientB?.dataSync() ?? [])).toEqual([Math.fround(0.8)]);
    tf.dispose([a, b, gradientA, gradientB] as tf.Tensor[]);
  });
});
