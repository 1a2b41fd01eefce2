/**
 * Differential suite: every native kernel of the `torch` backend, forward and gradient, against the `cpu` backend on
 * seeded random inputs (see test-support/differential-harness.ts for the metric). Each case must also run without
 * any cpu fallback, and together the cases must execute every native kernel. Each case runs with synchronous
 * execution, then twice with asynchronous execution: the first run learns each signature's output shapes (from meta
 * tensors or by waiting), the second queues every kernel from the learnt shapes. Then twice more as asynchronous
 * execution runs on CUDA, where no shapes come from meta tensors: every signature learnt by its first call waiting for
 * its result, then every kernel queued from those shapes.
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
    (tf.findBackend('torch') as TorchBackend).addon.configure({ device: 'cpu', inferOutputShapesOnMeta: true });
    await stopWatchdog();
  });

  const runs = [
    { execution: 'synchronous', label: 'synchronous', metaShapes: true },
    { execution: 'asynchronous', label: 'asynchronous, first run', metaShapes: true },
    { execution: 'asynchronous', label: 'asynchronous, shapes known', metaShapes: true },
    { execution: 'asynchronous', label: 'asynchronous as on CUDA, shapes learnt by waiting', metaShapes: false },
    { execution: 'asynchronous', label: 'asynchronous as on CUDA, shapes known', metaShapes: false },
  ] as const;
  for (const differential of differentialCases) {
    it(differential.name, async () => {
      const expected = await runDifferentialCase(differential, 'cpu');
      const addon = (tf.findBackend('torch') as TorchBackend).addon;
      for (const [index, run] of runs.entries()) {
        registration.setExecution(run.execution);
        // Switching the way shapes are learnt forgets the learnt ones: the next run learns them again that way.
        if (run.metaShapes !== runs[index - 1]?.metaShapes) addon.configure({ device: 'cpu', inferOutputShapesOnMeta: run.metaShapes });
        registration.usage.reset();
        const handlesBefore = registration.nativeHandleCount();
        const countsBefore = addon.info();
        const actual = await runDifferentialCase(differential, 'torch');
        const countsAfter = addon.info();
        actual.kernels.forEach((name) => executed.add(name));
        const where = `${differential.name} (${run.label})`;
        expect(compareResults(differential, actual, expected), `${where}: mismatches`).toEqual([]);
        expect(Object.fromEntries(registration.usage.fallbackCalls()), `${where}: cpu fallbacks`).toEqual({});
        expect(registration.nativeHandleCount(), `${where}: native handles left alive`).toBe(handlesBefore);
        const waited = countsAfter.awaitedKernelCalls - countsBefore.awaitedKernelCalls;
        const queued = countsAfter.queuedKernelCalls - countsBefore.queuedKernelCalls;
        const inferred = countsAfter.inferredSignatures - countsBefore.inferredSignatures;
        if (run.label.endsWith('shapes known')) {
          // Every native call of this run was queued: none waited to learn its output shapes.
          expect(waited, `${where}: calls that waited`).toBe(0);
          expect(queued, `${where}: queued calls`).toBeGreaterThan(0);
        }
        if (!run.metaShapes) expect(inferred, `${where}: signatures inferred on meta tensors`).toBe(0);
        if (run.label.endsWith('learnt by waiting')) expect(waited, `${where}: calls that waited`).toBeGreaterThan(0);
      }
    });
  }

  it('the cases execute every native kernel', () => {
    const missing = registration.nativeKernels.filter((name) => !executed.has(name));
    expect(missing).toEqual([]);
  });
});
