/**
 * Test support: ends the test process when a test file has not finished after a given time. A lost wake-up in the addon's
 * execution queue blocks JavaScript inside native code, where vitest's own timeouts cannot fire (the test would hang
 * until CI's time limit); a worker thread still runs then, and kills the process with a message naming the test, so
 * vitest reports the file as failed at once.
 */
import { Worker } from 'node:worker_threads';

/** The watchdog's code, run in its worker thread (plain JavaScript: workers evaluate it without the test transform). */
const watchdogSource = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
setTimeout(() => {
  writeSync(2, 'hang watchdog: ' + workerData.label + ' did not finish within ' + workerData.seconds + ' s (blocked in native code?): killing the test process\\n');
  process.kill(process.pid, 'SIGKILL');
}, workerData.seconds * 1000);
`;

/**
 * Starts the watchdog: it kills this process unless the returned stop function is called within `seconds` (see the
 * module comment). `label` names what hung in the message.
 */
export function startHangWatchdog(seconds: number, label: string): () => Promise<void> {
  const watchdog = new Worker(watchdogSource, { eval: true, workerData: { seconds, label } });
  watchdog.unref();
  return async () => {
    await watchdog.terminate();
  };
}
