/**
 * A kernel-level profile of one training step on the torch backend, for the benchmark (`--profile`) and the GPU check.
 * Two views per tfjs kernel name:
 * - `hostMs`: time spent inside the addon's `run` call, without synchronising. On CUDA a kernel only queues work, so a
 *   large host time means the kernel waited for the device (a hidden synchronisation or blocking copy).
 * - `deviceMs`: time per kernel from `tf.profile`, which synchronises after every kernel (the backend's `time`): the
 *   kernel's full cost, device work included. Slower than a real step; use it for shares, not for totals.
 * A third, untimed pass counts `inputCopies`: CPU tensors the kernel had to copy to the CUDA device (from pageable
 * memory, which may wait for the device queue; always 0 on CPU); a fourth counts the ATen operators each kernel runs
 * (`atenOperators`, the addon's operator census: src/test-support/operator-census.ts).
 * All passes run the kernels in line (synchronous execution, restored after): queued, a kernel's call would time only
 * its queuing, and its copies would happen later on the execution thread.
 */
import { tf } from '@reca/runtime';
import type { TorchBackend } from '../backend/torch-backend.js';
import { countAtenOperators } from './operator-census.js';

/** One kernel name's share of a profiled step. */
export interface KernelProfileRow {
  readonly kernel: string;
  readonly calls: number;
  readonly hostMs: number;
  /** The slowest single call's host time: one far above the rest points at a synchronisation in that kernel. */
  readonly maxHostMs: number;
  readonly deviceMs: number;
  readonly inputCopies: number;
  /** ATen operators its calls ran, nested ones included. */
  readonly atenOperators: number;
}

/** What {@link profileTorchStep} measured. */
export interface KernelProfile {
  /** Wall time of the unsynchronised step. */
  readonly stepMs: number;
  /** Sorted by `deviceMs`, largest first. */
  readonly rows: readonly KernelProfileRow[];
  /** ATen operators the step ran, outside kernels (uploads, reads) included. */
  readonly atenOperators: number;
  /** Host↔device transfers during the unsynchronised step. */
  readonly transfers: { reads: number; deviceWrites: number; scalarWrites: number };
}

/**
 * Profiles `step` (one training step; it must read back only its loss) on the active torch backend: once with the
 * addon's `run` timed per call, once under `tf.profile`, once counting each kernel's input copies to the device.
 */
export async function profileTorchStep(step: () => unknown): Promise<KernelProfile> {
  // `step` may be asynchronous (recaStep): both passes await it.
  const backend = tf.backend() as TorchBackend;
  if (typeof backend.transferCounts !== 'function') throw new Error(`profileTorchStep needs the torch backend; active: ${tf.getBackend()}`);
  const addon = backend.addon;
  const names = addon.kernelNames();
  /** Runs `step` with every addon `run` call passed through `around` (with its kernel's name); restores `run` after. */
  const withRunsObserved = async (around: (kernel: string, call: () => number) => number) => {
    const run = addon.run;
    addon.run = (code, handles, attrs, attributesKey) => around(names[code] ?? String(code), () => run.call(addon, code, handles, attrs, attributesKey));
    try {
      await step();
    } finally {
      addon.run = run;
    }
  };

  const wasAsynchronous = addon.info().asynchronousExecution;
  addon.setAsynchronousExecution(false);
  try {
    return await profileInLine(step, backend, withRunsObserved);
  } finally {
    addon.setAsynchronousExecution(wasAsynchronous);
  }
}

async function profileInLine(
  step: () => unknown,
  backend: TorchBackend,
  withRunsObserved: (around: (kernel: string, call: () => number) => number) => Promise<void>,
): Promise<KernelProfile> {
  const addon = backend.addon;
  const host = new Map<string, { calls: number; ms: number; maxMs: number }>();
  const transfersBefore = backend.transferCounts();
  const stepStarted = performance.now();
  await withRunsObserved((kernel, call) => {
    const started = performance.now();
    try {
      return call();
    } finally {
      const entry = host.get(kernel) ?? { calls: 0, ms: 0, maxMs: 0 };
      const elapsed = performance.now() - started;
      entry.calls += 1;
      entry.ms += elapsed;
      entry.maxMs = Math.max(entry.maxMs, elapsed);
      host.set(kernel, entry);
    }
  });
  const stepMs = performance.now() - stepStarted;
  const transfersAfter = backend.transferCounts();

  const device = new Map<string, { calls: number; ms: number }>();
  const info = await tf.profile(async () => {
    await step();
  });
  // Untimed: reading the counter (addon.info()) around every call would add its own cost to the timed passes.
  const inputCopies = new Map<string, number>();
  await withRunsObserved((kernel, call) => {
    const before = addon.info().kernelInputCopies;
    try {
      return call();
    } finally {
      const copies = addon.info().kernelInputCopies - before;
      if (copies > 0) inputCopies.set(kernel, (inputCopies.get(kernel) ?? 0) + copies);
    }
  });
  const census = await countAtenOperators(step);
  const operators = new Map(census.byKernel);
  for (const kernel of info.kernels) {
    const entry = device.get(kernel.name) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    device.set(kernel.name, entry);
  }
  const kernels = new Set([...host.keys(), ...device.keys()]);
  const rows = [...kernels]
    .map((kernel) => ({
      kernel,
      calls: device.get(kernel)?.calls ?? host.get(kernel)?.calls ?? 0,
      hostMs: host.get(kernel)?.ms ?? 0,
      maxHostMs: host.get(kernel)?.maxMs ?? 0,
      deviceMs: device.get(kernel)?.ms ?? 0,
      inputCopies: inputCopies.get(kernel) ?? 0,
      atenOperators: operators.get(kernel) ?? 0,
    }))
    .sort((a, b) => b.deviceMs - a.deviceMs);
  return {
    stepMs,
    rows,
    atenOperators: census.total,
    transfers: {
      reads: transfersAfter.reads - transfersBefore.reads,
      deviceWrites: transfersAfter.deviceWrites - transfersBefore.deviceWrites,
      scalarWrites: transfersAfter.scalarWrites - transfersBefore.scalarWrites,
    },
  };
}

/** The profile as a markdown table of the `limit` most expensive kernels. */
export function formatKernelProfile(profile: KernelProfile, limit = 25): string {
  const totalDevice = profile.rows.reduce((sum, row) => sum + row.deviceMs, 0);
  const totalHost = profile.rows.reduce((sum, row) => sum + row.hostMs, 0);
  const calls = profile.rows.reduce((sum, row) => sum + (row.deviceMs > 0 || row.hostMs > 0 ? row.calls : 0), 0);
  const lines = [
    `${calls} tfjs kernel calls (profiled in line); step ${profile.stepMs.toFixed(1)} ms unsynchronised (native run calls ${totalHost.toFixed(1)} ms of it); ` +
      `Σ synchronised kernel time ${totalDevice.toFixed(1)} ms; transfers: ${profile.transfers.reads} reads, ` +
      `${profile.transfers.deviceWrites} host→device writes, ${profile.transfers.scalarWrites} CPU scalar writes; ${profile.atenOperators} ATen operators`,
    '| kernel | calls | host ms (unsynchronised run) | slowest call host ms | device ms (synchronised) | share | input copies to device | ATen ops |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of profile.rows.slice(0, limit)) {
    const share = totalDevice > 0 ? `${((100 * row.deviceMs) / totalDevice).toFixed(1)} %` : '-';
    lines.push(`| ${row.kernel} | ${row.calls} | ${row.hostMs.toFixed(2)} | ${row.maxHostMs.toFixed(3)} | ${row.deviceMs.toFixed(2)} | ${share} | ${row.inputCopies} | ${row.atenOperators} |`);
  }
  const byHost = [...profile.rows].sort((a, b) => b.hostMs - a.hostMs).slice(0, 8);
  lines.push(`most host time (unsynchronised run): ${byHost.map((row) => `${row.kernel} ${row.hostMs.toFixed(2)} ms/${row.calls}`).join(', ')}`);
  const copying = profile.rows.filter((row) => row.inputCopies > 0);
  if (copying.length > 0) {
    lines.push(`kernels that copied CPU inputs to the device: ${copying.map((row) => `${row.kernel} ×${row.inputCopies}`).join(', ')}`);
  }
  return lines.join('\n');
}
