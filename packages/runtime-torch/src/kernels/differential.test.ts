/**
 * Differential suite: every native kernel of the `torch` backend, forward and gradient, against the `cpu` backend on
 * seeded random inputs (see test-support/differential-harness.ts for the metric). Each case must also run without
 * any cpu fallback, and together the cases must execute every native kernel.
 */
import { registerGradientFixes, tf } from '@reca/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { differentialCases } from '../test-support/differential-cases.js';
import { compareResults, runDifferentialCase } from '../test-support/differential-harness.js';
import { nativeAvailability } from '../test-support/native-availability.js';

const availability = nativeAvailability();

if (!availability.available) {
  describe('torch differential suite', () => {
    if (availability.required) {
      it('requires the libtorch addon (RECA_REQUIRE_BACKENDS includes torch)', () => {
        throw new Error(`the libtorch addon is required but unavailable: ${availability.reason}`);
      });
    } else {
      it.skip(`skipped: the libtorch addon is unavailable here — ${availability.reason}`, () => {});
    }
  });
} else {
  const registration = await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
  // The runtime's gradient fixes (cumsum, resize, broadcasting max/min): without them the cpu reference's gradients
  // are wrong or throw.
  registerGradientFixes();
  const executed = new Set<string>();

  describe('torch differential suite (vs cpu)', () => {
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
}
