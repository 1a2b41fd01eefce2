/**
 * Differential suite: every native kernel of the `torch` backend, forward and gradient, against the `cpu` backend on
 * seeded random inputs (see test-support/differential-harness.ts for the metric). Each case must also run without
 * any cpu fallback, and together the cases must execute every native kernel. Each case runs with synchronous
 * execution, then twice with asynchronous execution: the first run learns each signature's output shapes (from meta
 * tensors or by waiting), the second queues every kernel from the learnt shapes.
 */
import { registerGradientFixes, tf } from '@reca/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { differentialCases } from '../test-support/differential-cases.js';
import { compareResults, runDifferentialCase } from '../test-support/differential-harness.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import { startHangWatchdog } from '../test-support/hang-watchdog.js';
import type { TorchBackendRegistration } from '../torch-backend-registration.js';
import type { TorchBackend } from '../backend/torch-backend.js';

describeWithTorchAddon('torch differential suite (vs cpu)', () => {
  let registration: TorchBackendRegistration;
  const executed = new Set<string>();
  // Asynchronous runs: a lost wake-up would block JavaScript in native code, where no vitest timeout fires.
  let stopWatchdog: () => Promise<void> = async () => {};
  beforeAll(async () => {
    stopWatchdog = startHangWatchdog(600, 'differential.test.ts');
    registration = await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    // The runtime's gradient fixes (cumsum, resize, broadcasting max/min): without them the cpu reference's gradients
    // are wrong or throw.
    registerGradientFixes();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  afterAll(async () => {
    registration.setExecution('asynchronous');
    await stopWatchdog();
  });

  const runs = [
    { execution: 'synchronous', label: 'synchronous' },
    { execution: 'asynchronous', label: 'asynchronous, first run' },
    { execution: 'asynchronous', label: 'asynchronous, shapes known' },
  ] as const;
  for (const differential of differentialCases) {
    it(differential.name, async () => {
      const expected = await runDifferentialCase(differential, 'cpu');
      for (const run of runs) {
        registration.setExecution(run.execution);
        registration.usage.reset();
        const handlesBefore = registration.nativeHandleCount();
        const addon = (tf.findBackend('torch') as TorchBackend).addon;
        const countsBefore = addon.info();
        const actual = await runDifferentialCase(differential, 'torch');
        const countsAfter = addon.info();
        actual.kernels.forEach((name) => executed.add(name));
        const where = `${differential.name} (${run.label})`;
        expect(compareResults(differential, actual, expected), `${where}: mismatches`).toEqual([]);
        expect(Object.fromEntries(registration.usage.fallbackCalls()), `${where}: cpu fallbacks`).toEqual({});
        expect(registration.nativeHandleCount(), `${where}: native handles left alive`).toBe(handlesBefore);
        if (run.label === 'asynchronous, shapes known') {
          // Every native call of this run was queued: none waited to learn its output shapes.
          expect(countsAfter.awaitedKernelCalls - countsBefore.awaitedKernelCalls, `${where}: calls that waited`).toBe(0);
          expect(countsAfter.queuedKernelCalls - countsBefore.queuedKernelCalls, `${where}: queued calls`).toBeGreaterThan(0);
        }
      }
    });
  }

  it('the cases execute every native kernel', () => {
    const missing = registration.nativeKernels.filter((name) => !executed.has(name));
    expect(missing).toEqual([]);
  });
});
