/**
 * Differential suite: every native kernel of the `torch` backend, forward and gradient, against the `cpu` backend on
 * seeded random inputs (see test-support/differential-harness.ts for the metric). Each case must also run without
 * any cpu fallback, and together the cases must execute every native kernel.
 */
import { registerGradientFixes, tf } from '@reca/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { differentialCases } from '../test-support/differential-cases.js';
import { compareResults, runDifferentialCase } from '../test-support/differential-harness.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import type { TorchBackendRegistration } from '../torch-backend-registration.js';

describeWithTorchAddon('torch differential suite (vs cpu)', () => {
  let registration: TorchBackendRegistration;
  const executed = new Set<string>();
  beforeAll(async () => {
    registration = await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    // The runtime's gradient fixes (cumsum, resize, broadcasting max/min): without them the cpu reference's gradients
    // are wrong or throw.
    registerGradientFixes();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const differential of differentialCases) {
    it(differential.name, async () => {
      const expected = await runDifferentialCase(differential, 'cpu');
      registration.usage.reset();
      const handlesBefore = registration.nativeHandleCount();
      const actual = await runDifferentialCase(differential, 'torch');
      actual.kernels.forEach((name) => executed.add(name));
      expect(compareResults(differential, actual, expected), `${differential.name}: mismatches`).toEqual([]);
      expect(Object.fromEntries(registration.usage.fallbackCalls()), `${differential.name}: cpu fallbacks`).toEqual({});
      expect(registration.nativeHandleCount(), `${differential.name}: native handles left alive`).toBe(handlesBefore);
    });
  }

  it('the cases execute every native kernel', () => {
    const missing = registration.nativeKernels.filter((name) => !executed.has(name));
    expect(missing).toEqual([]);
  });
});
