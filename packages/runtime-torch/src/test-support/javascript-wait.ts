/**
 * JavaScript's waiting time on the torch backend, for the benchmarks and the GPU check. With asynchronous execution a
 * step's wall time minus the time JavaScript spent blocked on queued kernels (reads, the AdamW barrier) is its
 * JavaScript time: tfjs's engine and tape, our kernel wrappers, garbage collection. On a GPU, where kernels cost the
 * device little and the execution thread only launches them, that is the floor of a step's time.
 */
import { tf } from '@reca/runtime';
import type { TorchBackend } from '../backend/torch-backend.js';

/** Milliseconds JavaScript has waited for queued kernels since the addon loaded (0 when torch is not active). */
export function javaScriptWaitMs(): number {
  const backend = tf.backend() as Partial<TorchBackend>;
  return backend.addon?.info().javaScriptWaitMs ?? 0;
}

/** "JavaScript 2.1 of 2.8 ms/step" from a timed run's total wall time and the wait counter before and after it. */
export function describeJavaScriptTime(wallMs: number, waitBeforeMs: number, waitAfterMs: number, steps: number): string {
  const wallPerStep = wallMs / steps;
  const javaScriptPerStep = wallPerStep - (waitAfterMs - waitBeforeMs) / steps;
  return `JavaScript ${javaScriptPerStep.toFixed(1)} of ${wallPerStep.toFixed(1)} ms/step`;
}
