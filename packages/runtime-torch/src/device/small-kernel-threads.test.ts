/**
 * Small kernels on one thread (native/small_kernel_threads.cc): after the OpenMP pool has had time to fall asleep, a
 * kernel below `singleThreadWorkBelow` runs on one thread, a large one wakes the pool, and either gives the cpu
 * backend's values.
 */
import { availableParallelism } from 'node:os';
import { tf } from '@reca/runtime';
import { beforeAll, expect, it } from 'vitest';
import type { TorchBackend } from '../backend/torch-backend.js';
import { boundedSpinCount } from './apply-openmp-wait-policy.js';
import { registerTorchBackend } from '../register-torch-backend.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import { maxRelativeError } from '../test-support/differential-harness.js';

/** Waits well past the bounded spin (25 µs), so that the pool sleeps. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

function valuesOn(backend: string, body: () => tf.Tensor): Float32Array {
  const previous = tf.getBackend();
  tf.setBackend(backend);
  try {
    return tf.tidy(() => body().dataSync() as Float32Array);
  } finally {
    tf.setBackend(previous);
  }
}

function torchBackend(): TorchBackend {
  return tf.backend() as TorchBackend;
}

/** Runs BatchMatMul a·b once through the addon; returns its values and how many kernel calls ran on one thread. */
function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): { values: Float32Array; singleThreadCalls: number } {
  const backend = torchBackend();
  const before = backend.addon.info().singleThreadKernelCalls;
  const code = backend.addon.kernelNames().indexOf('BatchMatMul');
  const count = backend.addon.run(code, [backend.handleOf(a) as number, backend.handleOf(b) as number], { transposeA: false, transposeB: false });
  const singleThreadCalls = backend.addon.info().singleThreadKernelCalls - before;
  const [output] = backend.collectOutputs(count) as [tf.TensorInfo];
  const values = backend.addon.read(backend.handleOf(output) as number) as Float32Array;
  backend.disposeData(output.dataId, true);
  return { values, singleThreadCalls };
}

describeWithTorchAddon('small kernels on one thread', () => {
  const threads = Math.min(2, availableParallelism());
  // The pool sleeps after a pause only under the bounded spin (the default; a user's OMP_WAIT_POLICY may differ).
  const boundedSpin = process.env['OMP_WAIT_POLICY'] === undefined && (process.env['GOMP_SPINCOUNT'] ?? String(boundedSpinCount)) === String(boundedSpinCount);
  beforeAll(async () => {
    // Synchronous: the test reads the kernel's thread count right after its call.
    await registerTorchBackend({ device: 'cpu', threads, openMpWaitPolicy: 'bounded', warnOnFallback: false, execution: 'synchronous' });
    await tf.setBackend('torch');
  });

  it.runIf(threads > 1 && boundedSpin)('runs a small kernel after a pause on one thread and a large one on the pool, with the same values', async () => {
    expect(torchBackend().addon.info().singleThreadWorkBelow).toBe(262_144);
    const small = tf.tensor3d(Float32Array.from({ length: 64 }, (_, index) => Math.sin(index)), [1, 8, 8]);
    const large = tf.tensor3d(Float32Array.from({ length: 256 * 256 }, (_, index) => Math.cos(index) / 16), [1, 256, 256]);

    await pause();
    const smallProduct = batchMatMul(small, small); // 512 multiply-adds
    expect(smallProduct.singleThreadCalls).toBe(1);
    await pause();
    const largeProduct = batchMatMul(large, large); // 16.8 M multiply-adds: over the threshold
    expect(largeProduct.singleThreadCalls).toBe(0);

    for (const [actual, input] of [
      [smallProduct.values, small],
      [largeProduct.values, large],
    ] as const) {
      const expected = valuesOn('cpu', () => tf.matMul(input, input));
      expect(actual.length).toBe(expected.length);
      expect(maxRelativeError(actual, expected)).toBeLessThan(1e-5);
    }
    small.dispose();
    large.dispose();
  });
});
