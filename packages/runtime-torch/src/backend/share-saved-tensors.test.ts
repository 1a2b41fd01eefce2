/**
 * Saved tensors that share their data (share-saved-tensors.ts): first-order gradients equal tfjs's own clone's with no
 * Identity kernel per saved tensor, second-order gradients stay exact (tfjs's clone runs there), memory returns to its
 * baseline, and other backends keep tfjs's clone.
 */
import { tf } from '@reca/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import type { TorchBackendRegistration } from '../torch-backend-registration.js';
import { resolveShareSavedTensors, shareSavedTensors } from './share-saved-tensors.js';

describeWithTorchAddon('saved tensors sharing their data', () => {
  let registration: TorchBackendRegistration;
  let x: tf.Tensor2D;
  let w: tf.Tensor2D;
  beforeAll(async () => {
    registration = await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    x = tf.tensor2d([0.5, -1, 2, 0.25, 1.5, -0.75], [2, 3]);
    w = tf.tensor2d([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9], [3, 3]);
  });
  afterAll(() => {
    tf.dispose([x, w]);
    shareSavedTensors(tf.engine(), 'torch');
  });

  it('is on by default and gives the same first-order gradients without an Identity kernel per saved tensor', async () => {
    expect(registration.sharesSavedTensors).toBe(true);
    const step = () => {
      const parameter = tf.variable(w, true);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.softmax(tf.tanh(tf.matMul(x, parameter))), tf.square(x))) as tf.Scalar, [parameter]);
      const values = Array.from(grads[parameter.name]!.dataSync());
      tf.dispose(grads);
      parameter.dispose();
      return values;
    };
    const identityCalls = async () => (await tf.profile(() => void step())).kernels.filter((kernel) => kernel.name === 'Identity').length;
    const shared = step();
    const sharedIdentityCalls = await identityCalls();
    const restore = shareSavedTensors(tf.engine(), 'torch');
    expect(restore).toBeDefined();
    restore?.();
    try {
      const stock = step();
      expect(await identityCalls()).toBeGreaterThan(sharedIdentityCalls + 3);
      expect(shared).toEqual(stock);
    } finally {
      shareSavedTensors(tf.engine(), 'torch');
    }
    expect(sharedIdentityCalls).toBe(0);
  });

  it('keeps second-order gradients exact (tfjs clones what a recorded backward pass uses)', () => {
    const input = tf.tensor1d([1, 2, 3]);
    const secondDerivative = tf.grad((value: tf.Tensor) => tf.grad((inner: tf.Tensor) => tf.sum(tf.mul(tf.mul(inner, inner), inner)))(value));
    expect(Array.from(tf.tidy(() => secondDerivative(input)).dataSync())).toEqual([6, 12, 18]);
    input.dispose();
  });

  it('frees the shared data with the tape: tensors and native handles return to their baseline', () => {
    const parameter = tf.variable(w, true);
    const baseline = { tensors: tf.memory().numTensors, handles: registration.nativeHandleCount() };
    for (let step = 0; step < 5; step++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.tanh(tf.matMul(x, parameter))) as tf.Scalar, [parameter]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect({ tensors: tf.memory().numTensors, handles: registration.nativeHandleCount() }).toEqual(baseline);
    parameter.dispose();
  });

  it("leaves other backends to tfjs's clone", async () => {
    await tf.setBackend('cpu');
    try {
      const info = await tf.profile(() => {
        const input = tf.tensor1d([1, 2, 3]);
        tf.grad((value: tf.Tensor) => tf.sum(tf.tanh(value)))(input).dispose();
        input.dispose();
      });
      expect(info.kernels.some((kernel) => kernel.name === 'Identity')).toBe(true);
    } finally {
      await tf.setBackend('torch');
    }
  });

  it('reads RECA_TORCH_SHARE_SAVED_TENSORS and rejects other values', () => {
    expect(resolveShareSavedTensors(undefined, {})).toBe(true);
    expect(resolveShareSavedTensors(undefined, { RECA_TORCH_SHARE_SAVED_TENSORS: '0' })).toBe(false);
    expect(resolveShareSavedTensors(true, { RECA_TORCH_SHARE_SAVED_TENSORS: '0' })).toBe(true);
    expect(() => resolveShareSavedTensors(undefined, { RECA_TORCH_SHARE_SAVED_TENSORS: 'yes' })).toThrow(/RECA_TORCH_SHARE_SAVED_TENSORS.*must be 0, 1, true or false, got 'yes'/);
  });
});
