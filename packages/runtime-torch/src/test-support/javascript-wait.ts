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

/**
 * Mean wall and JavaScript milliseconds per step of a timed run that has just ended: `stepTimesMs` are its steps'
 * wall times, `waitBeforeMs` the {@link javaScriptWaitMs} counter read before its first step.
 */
export function javaScriptTimePerStep(stepTimesMs: readonly number[], waitBeforeMs: number): { wallMs: number; javaScriptMs: number } {
  const wallMs = stepTimesMs.reduce((sum, ms) => sum + ms, 0) / stepTimesMs.length;
  return { wallMs, javaScriptMs: wallMs - (javaScriptWaitMs() - waitBeforeMs) / stepTimesMs.length };
}

/** "JavaScript 2.1 of 2.8 ms/step" for a timed run that has just ended (see {@link javaScriptTimePerStep}). */
export function describeJavaScriptTime(stepTimesMs: readonly number[], waitBeforeMs: number): string {
  const { wallMs, javaScriptMs } = javaScriptTimePerStep(stepTimesMs, waitBeforeMs);
  return `JavaScript ${javaScriptMs.toFixed(1)} of ${wallMs.toFixed(1)} ms/step`;
}
