/**
 * The operator census (native/operator_census.cc, countAtenOperators): it counts the ATen operators each tfjs kernel
 * runs, on the execution thread as in line, only while it runs, and refuses to nest.
 */
import { tf } from '@reca/runtime';
import { beforeAll, expect, it } from 'vitest';
import type { TorchBackend } from '../backend/torch-backend.js';
import { registerTorchBackend } from '../register-torch-backend.js';
import type { TorchBackendRegistration } from '../torch-backend-registration.js';
import { describeWithTorchAddon } from './describe-with-torch-addon.js';
import { countAtenOperators } from './operator-census.js';

describeWithTorchAddon('ATen operator census', () => {
  let registration: TorchBackendRegistration;
  beforeAll(async () => {
    registration = await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
  });

  for (const execution of ['asynchronous', 'synchronous'] as const) {
    it(`counts the operators of each kernel (${execution} execution)`, async () => {
      const previous = registration.execution;
      registration.setExecution(execution);
      const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = tf.tensor2d([6, 5, 4, 3, 2, 1], [2, 3]);
      try {
        const step = () => tf.tidy(() => tf.add(tf.mul(a, b), a).dataSync());
        step(); // learns the signatures: asynchronously, the census's kernels are queued
        const queuedBefore = (tf.backend() as TorchBackend).addon.info().queuedKernelCalls;
        const census = await countAtenOperators(step);
        const queued = (tf.backend() as TorchBackend).addon.info().queuedKernelCalls - queuedBefore;
        expect(queued).toBe(execution === 'asynchronous' ? 2 : 0);
        const byKernel = new Map(census.byKernel);
        const byOperator = new Map(census.byOperator);
        expect(byOperator.get('aten::mul')).toBe(1);
        expect(byOperator.get('aten::add')).toBe(1);
        expect(byKernel.get('Multiply')).toBeGreaterThanOrEqual(1);
        expect(byKernel.get('Add')).toBeGreaterThanOrEqual(1);
        expect(census.total).toBe([...byOperator.values()].reduce((sum, calls) => sum + calls, 0));
        // Only while it runs: a second census of a bigger step counts that step alone.
        const bigger = await countAtenOperators(() => tf.tidy(() => tf.add(tf.add(tf.mul(a, b), a), b).dataSync()));
        expect(new Map(bigger.byOperator).get('aten::add')).toBe(2);
      } finally {
        tf.dispose([a, b]);
        registration.setExecution(previous);
      }
    });
  }

  it('leaves out the operators of output-shape inference on meta tensors', async () => {
    const previous = registration.execution;
    registration.setExecution('asynchronous');
    // Shapes no other test uses: the first call of this signature infers its output shape on meta tensors.
    const a = tf.ones([3, 7, 5]);
    const b = tf.ones([3, 7, 5]);
    try {
      const inferredBefore = (tf.backend() as TorchBackend).addon.info().inferredSignatures;
      const first = await countAtenOperators(() => tf.tidy(() => tf.sub(a, b).dataSync()));
      expect((tf.backend() as TorchBackend).addon.info().inferredSignatures).toBe(inferredBefore + 1);
      const second = await countAtenOperators(() => tf.tidy(() => tf.sub(a, b).dataSync()));
      expect(first.byOperator).toEqual(second.byOperator);
    } finally {
      tf.dispose([a, b]);
      registration.setExecution(previous);
    }
  });

  it('refuses a second census while one runs, and a stop without a start', () => {
    const addon = (tf.backend() as TorchBackend).addon;
    addon.startOperatorCensus();
    try {
      expect(() => addon.startOperatorCensus()).toThrow(/already running/);
    } finally {
      addon.stopOperatorCensus();
    }
    expect(() => addon.stopOperatorCensus()).toThrow(/no operator census is running/);
  });
});
