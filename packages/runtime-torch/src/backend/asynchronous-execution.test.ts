/**
 * Asynchronous execution (native/execution.cc): kernels are queued for the execution thread once their output shapes
 * are known. A queued kernel that fails (here: GatherV2 with an index out of range, whose output shape does not depend
 * on the index values) is reported once, as a TorchKernelError naming GatherV2, by whichever comes first: a read of a
 * tensor computed from it, a synchronize, or the next kernel call; tensors computed from its output cannot be read.
 * Switching to synchronous execution drains the queue, and there the same failure throws at its own call. A state
 * update (AdamW) waits for the queue first, so a failure before it leaves the model as it was.
 */
import { AdamW, tf } from '@reca/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TorchKernelError } from '../errors/torch-kernel-error.js';
import { registerTorchBackend } from '../register-torch-backend.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import { startHangWatchdog } from '../test-support/hang-watchdog.js';
import type { TorchBackendRegistration } from '../torch-backend-registration.js';
import type { TorchBackend } from './torch-backend.js';

/** Runs `body`; returns what it threw (undefined when it did not throw). */
function thrownBy(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectGatherFailure(error: unknown, reportedBy: RegExp): void {
  expect(TorchKernelError.isInstance(error), String(error)).toBe(true);
  expect((error as TorchKernelError).kernelName).toBe('GatherV2');
  expect((error as TorchKernelError).message).toMatch(/index/i);
  expect((error as TorchKernelError).message).toMatch(reportedBy);
}

/** Waits until the execution thread has run every queued kernel, without reporting failures (polls the count). */
async function queueEmpty(): Promise<void> {
  const addon = (tf.backend() as TorchBackend).addon;
  for (let attempt = 0; attempt < 2000 && addon.info().pendingKernels > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(addon.info().pendingKernels).toBe(0);
}

describeWithTorchAddon('torch backend, asynchronous execution', () => {
  let registration: TorchBackendRegistration;
  let table: tf.Tensor2D;
  // A lost wake-up blocks JavaScript in native code, where no vitest timeout fires: the watchdog fails the file instead.
  let stopWatchdog: () => Promise<void> = async () => {};
  const valid = () => tf.tensor1d([3, 0], 'int32');
  const outOfRange = () => tf.tensor1d([1, 99], 'int32');
  beforeAll(async () => {
    stopWatchdog = startHangWatchdog(180, 'asynchronous-execution.test.ts');
    registration = await registerTorchBackend({ device: 'cpu', warnOnFallback: false });
    await tf.setBackend('torch');
    registration.setExecution('asynchronous');
    table = tf.tensor2d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [4, 3]);
  });
  afterAll(async () => {
    table.dispose();
    registration.setExecution('asynchronous');
    await stopWatchdog();
  });

  it('queues kernels whose output shapes are known and reads their values', () => {
    expect(registration.execution).toBe('asynchronous');
    const addon = (tf.backend() as TorchBackend).addon;
    const first = tf.tidy(() => Array.from(tf.gather(table, valid()).dataSync()));
    const queuedBefore = addon.info().queuedKernelCalls;
    const second = tf.tidy(() => Array.from(tf.mul(tf.gather(table, valid()), 2).dataSync()));
    expect(addon.info().queuedKernelCalls - queuedBefore).toBeGreaterThanOrEqual(2);
    expect(first).toEqual([9, 10, 11, 0, 1, 2]);
    expect(second).toEqual([18, 20, 22, 0, 2, 4]);
  });

  it('reports a failed queued kernel at a read, once; its tensor and those computed from it stay unreadable', () => {
    tf.tidy(() => tf.gather(table, valid()).dataSync()); // the signature's output shape is known: the next call queues
    const gathered = tf.tidy(() => tf.gather(table, outOfRange()));
    // No kernel call between the queued failure and the read: a call could report it first, had the execution thread
    // already run the gather.
    expectGatherFailure(
      thrownBy(() => gathered.dataSync()),
      /reported by a read/,
    );
    // Reported once: later kernels run.
    expect(tf.tidy(() => Array.from(tf.add(table, 1).slice([0, 0], [1, 3]).dataSync()))).toEqual([1, 2, 3]);
    const doubled = tf.mul(gathered, 2);
    expect(() => gathered.dataSync()).toThrow(/GatherV2/);
    expect(() => doubled.dataSync()).toThrow(/GatherV2/);
    tf.dispose([gathered, doubled]);
  });

  it('reports it at synchronize', () => {
    const gathered = tf.tidy(() => tf.gather(table, outOfRange()));
    expectGatherFailure(
      thrownBy(() => registration.synchronize()),
      /reported by synchronize/,
    );
    registration.synchronize(); // once
    gathered.dispose();
  });

  it('reports it at the next kernel call once the execution thread has run it, naming the failed kernel', async () => {
    const gathered = tf.tidy(() => tf.gather(table, outOfRange()));
    await queueEmpty();
    expectGatherFailure(
      thrownBy(() => tf.add(table, 1)),
      /reported by the next call, 'Add'/,
    );
    expect(tf.tidy(() => tf.add(table, 1).dataSync()[0])).toBe(1);
    gathered.dispose();
  });

  it('drains the queue when switching to synchronous execution, where the failure throws at its own call', () => {
    const chained = tf.tidy(() => {
      let value = tf.gather(table, valid()) as tf.Tensor;
      for (let index = 0; index < 50; index++) value = tf.add(value, 1);
      return value;
    });
    registration.setExecution('synchronous');
    try {
      expect(registration.execution).toBe('synchronous');
      expect(Array.from(chained.dataSync())).toEqual([59, 60, 61, 50, 51, 52]);
      const error = thrownBy(() => tf.tidy(() => tf.gather(table, outOfRange())));
      expect(TorchKernelError.isInstance(error)).toBe(true);
      expect((error as TorchKernelError).kernelName).toBe('GatherV2');
      expect((error as TorchKernelError).message).not.toMatch(/asynchronously/);
    } finally {
      registration.setExecution('asynchronous');
      chained.dispose();
    }
  });

  it('does not update the model after a queued failure: the AdamW update throws it and leaves parameters and moments', () => {
    const parameter = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3, 4]), true, 'asynchronous-barrier-parameter'));
    const optimizer = new AdamW({ learningRate: 0.1, weightDecay: 0 });
    const gradient = () => ({ parameter: tf.tensor1d([1, -1, 1, -1]) });
    try {
      const update = () => {
        const gradients = gradient();
        try {
          optimizer.applyGradients([['parameter', parameter]], gradients);
        } finally {
          tf.dispose(Object.values(gradients));
        }
      };
      update(); // learns the update's output shapes: the next one would be queued
      const before = Array.from(parameter.dataSync());
      const gathered = tf.tidy(() => tf.gather(table, outOfRange()));
      expectGatherFailure(thrownBy(update), /reported by the next call, 'RecaAdamUpdate'/);
      expect(Array.from(parameter.dataSync())).toEqual(before);
      gathered.dispose();
      update(); // and the next update runs
      expect(Array.from(parameter.dataSync())).not.toEqual(before);
    } finally {
      optimizer.dispose();
      parameter.dispose();
    }
  });

  it('bounds the queue: JavaScript that issues faster than kernels run waits once 16384 are pending', () => {
    const addon = (tf.backend() as TorchBackend).addon;
    const matrix = tf.randomNormal([128, 128]);
    let highest = 0;
    try {
      // A 128×128 product takes tens of µs on the execution thread, its call a few µs of JavaScript: the queue fills.
      for (let index = 0; index < 30_000; index++) {
        tf.matMul(matrix, matrix).dispose();
        if (index % 100 === 0) highest = Math.max(highest, addon.info().pendingKernels);
      }
      registration.synchronize();
    } finally {
      matrix.dispose();
    }
    expect(highest).toBeGreaterThan(12_000); // the queue did fill (else this test would show nothing)
    expect(highest).toBeLessThanOrEqual(16_384);
  }, 60_000);

  it('hands kernels over whether the execution thread runs, polls or sleeps, and whether JavaScript waits', async () => {
    // The execution thread polls for work for 50 µs before it sleeps, and is woken only when asleep; JavaScript is
    // woken only while it waits. Each round queues a chain, pauses for nothing, a busy 0–240 µs or a timer (the thread
    // is then asleep), and reads: a missed wake-up blocks JavaScript in native code (the file's watchdog then kills the
    // test process, failing the file), a lost kernel gives a wrong value.
    const addon = (tf.backend() as TorchBackend).addon;
    const queuedBefore = addon.info().queuedKernelCalls;
    const start = tf.tensor1d([0, 10]);
    try {
      for (let round = 0; round < 300; round++) {
        const length = 1 + ((round * 7) % 40);
        const chained = tf.tidy(() => {
          let value: tf.Tensor = start;
          for (let index = 0; index < length; index++) value = tf.add(value, 1);
          return value;
        });
        const pause = round % 3;
        if (pause === 1) {
          const until = performance.now() + ((round * 13) % 240) / 1000;
          while (performance.now() < until);
        } else if (pause === 2) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        expect(Array.from(chained.dataSync())).toEqual([length, 10 + length]);
        chained.dispose();
      }
    } finally {
      start.dispose();
    }
    expect(addon.info().queuedKernelCalls - queuedBefore).toBeGreaterThan(5000);
  }, 30_000);

  it('reuses a copy of the attributes only for equal values (same shapes, different attributes)', () => {
    // Summing a square matrix over either axis gives the same output shape: only the attributes tell the calls apart.
    const square = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    try {
      for (let round = 0; round < 10; round++) {
        const [columns, rows, scaledNegativeZero, scaledZero] = tf.tidy(() => [
          tf.sum(square, 0),
          tf.sum(square, 1),
          tf.fill([2], -0),
          tf.fill([2], 0),
        ]);
        expect(Array.from(columns!.dataSync())).toEqual([4, 6]);
        expect(Array.from(rows!.dataSync())).toEqual([3, 7]);
        expect(Array.from(scaledNegativeZero!.dataSync()).map((value) => Object.is(value, -0))).toEqual([true, true]);
        expect(Array.from(scaledZero!.dataSync()).map((value) => Object.is(value, -0))).toEqual([false, false]);
        tf.dispose([columns!, rows!, scaledNegativeZero!, scaledZero!]);
      }
    } finally {
      square.dispose();
    }
  });

  it('counts the time JavaScript waits for queued kernels', () => {
    const addon = (tf.backend() as TorchBackend).addon;
    const matrix = tf.tidy(() => tf.div(tf.randomNormal([128, 128]), 12));
    try {
      tf.tidy(() => tf.matMul(matrix, matrix).dataSync()); // learns the signature
      const before = addon.info().javaScriptWaitMs;
      const started = performance.now();
      tf.tidy(() => {
        let product: tf.Tensor = matrix;
        for (let index = 0; index < 300; index++) product = tf.matMul(product, matrix);
        product.dataSync(); // waits for the 300 queued products
      });
      const elapsed = performance.now() - started;
      const waited = addon.info().javaScriptWaitMs - before;
      expect(waited).toBeGreaterThan(0);
      expect(waited).toBeLessThanOrEqual(elapsed);
    } finally {
      matrix.dispose();
    }
  });

  it('rejects an unknown execution mode', () => {
    expect(() => registration.setExecution('eager' as never)).toThrow(/must be 'asynchronous' or 'synchronous', got 'eager'/);
  });
});
