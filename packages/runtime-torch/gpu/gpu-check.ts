/**
 * The GPU machine's check, bundled into one file by gpu/prepare.sh (the device has no Node toolchain): registers the
 * torch backend on CUDA, runs the differential cases against the cpu backend, checks memory and host↔device traffic
 * over training steps, and times the transformer training step on CUDA for each preset. Writes
 * `<out>/gpu-check.json` and prints a summary.
 *
 * Usage: node gpu-check.mjs <out-folder> [--presets small,medium,large] [--steps 30] [--device cuda]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerGradientFixes, tf } from '@reca/runtime';
import { TorchBackend } from '../src/backend/torch-backend.js';
import { registerTorchBackend } from '../src/register-torch-backend.js';
import { option } from '../bench/bench-command-line.js';
import { median } from '../bench/median.js';
import type { TorchDeviceRequest, TorchExecution } from '../src/torch-backend-options.js';
import { differentialCases } from '../src/test-support/differential-cases.js';
import { formatKernelProfile, profileTorchStep } from '../src/test-support/kernel-profile.js';
import { javaScriptTimePerStep, javaScriptWaitMs } from '../src/test-support/javascript-wait.js';
import { compareResults, runDifferentialCase } from '../src/test-support/differential-harness.js';
import { createTransformerTrainer, transformerPresets, type TransformerConfig } from '../src/test-support/tiny-causal-transformer.js';

const outFolder = process.argv[2] ?? '.';
const presets = option('presets', 'small,medium,large').split(',') as Array<keyof typeof transformerPresets>;
const steps = Number(option('steps', '30'));
const device = option('device', 'cuda') as TorchDeviceRequest;
mkdirSync(outFolder, { recursive: true });

const report: Record<string, unknown> = {};
const save = () => writeFileSync(join(outFolder, 'gpu-check.json'), `${JSON.stringify(report, null, 2)}\n`);

const registration = await registerTorchBackend({ device, warnOnFallback: true });
registerGradientFixes();
report['device'] = registration.device;
report['nativeKernels'] = registration.nativeKernels.length;
console.log(`torch backend: ${registration.device}; ${registration.nativeKernels.length} native kernels`);
save();

// ---- differential cases (cuda vs cpu), synchronous, then asynchronous twice (learning the shapes, then queued) ----
/** Runs every differential case on the torch backend (in its current execution mode); returns the cases that disagree or threw. */
async function differentialPass(): Promise<{ cases: number; failures: Array<{ name: string; problems: string[] }>; fallbackCases: string[] }> {
  const failures: Array<{ name: string; problems: string[] }> = [];
  const fallbackCases: string[] = [];
  for (const differential of differentialCases) {
    try {
      const expected = await runDifferentialCase(differential, 'cpu');
      registration.usage.reset();
      const actual = await runDifferentialCase(differential, 'torch');
      const problems = compareResults(differential, actual, expected);
      if (problems.length > 0) failures.push({ name: differential.name, problems });
      if (registration.usage.fallbackCalls().size > 0) fallbackCases.push(`${differential.name}: ${[...registration.usage.fallbackCalls().keys()].join(', ')}`);
    } catch (error) {
      failures.push({ name: differential.name, problems: [error instanceof Error ? error.message.split('\n')[0] as string : String(error)] });
    }
  }
  console.log(`differential (${registration.execution}): ${differentialCases.length - failures.length}/${differentialCases.length} cases agree with cpu${fallbackCases.length > 0 ? `; fallbacks in ${fallbackCases.length}` : ''}`);
  for (const failure of failures) console.log(`  FAIL ${failure.name}: ${failure.problems.join('; ')}`);
  return { cases: differentialCases.length, failures, fallbackCases };
}
report['differential'] = await withExecution('synchronous', differentialPass);
save();
report['differentialAsynchronous'] = await withExecution('asynchronous', async () => {
  await differentialPass(); // learns the output shapes
  return differentialPass();
});
save();

// ---- memory and transfers over training steps ----
await tf.setBackend('torch');
const backend = tf.backend() as TorchBackend;
{
  const trainer = createTransformerTrainer(transformerPresets.tiny);
  for (let step = 0; step < 5; step++) trainer.step();
  const before = { tensors: tf.memory().numTensors, handles: registration.nativeHandleCount() };
  const transfersBefore = backend.transferCounts();
  const losses: number[] = [];
  for (let step = 0; step < 100; step++) losses.push(trainer.step());
  const transfersAfter = backend.transferCounts();
  const after = { tensors: tf.memory().numTensors, handles: registration.nativeHandleCount() };
  trainer.dispose();
  const perStep = (key: keyof typeof transfersAfter) => (transfersAfter[key] - transfersBefore[key]) / 100;
  report['memory'] = {
    flat: before.tensors === after.tensors && before.handles === after.handles,
    before,
    after,
    firstLoss: losses[0],
    lastLoss: losses.at(-1),
    readsPerStep: perStep('reads'),
    hostToDeviceWritesPerStep: perStep('deviceWrites'),
    scalarWritesPerStep: perStep('scalarWrites'),
  };
  console.log(
    `memory over 100 steps: tensors ${before.tensors}→${after.tensors}, native handles ${before.handles}→${after.handles}; ` +
      `per step: ${perStep('reads')} reads, ${perStep('deviceWrites')} host→device writes, ${perStep('scalarWrites')} CPU scalar writes`,
  );
  save();
}

// ---- host cost of one small op: tfjs on the torch backend, the addon call alone, tfjs on the cpu backend ----
// A diagnostic: a failure here is reported and the check goes on to the timings.
try {
  const perCallMicroseconds = (body: () => void, synchronise: () => void, calls = 20000) => {
    for (let call = 0; call < 2000; call++) body();
    synchronise();
    const start = performance.now();
    for (let call = 0; call < calls; call++) body();
    synchronise();
    return ((performance.now() - start) * 1000) / calls;
  };
  const a = tf.ones([4, 4]);
  const b = tf.ones([4, 4]);
  const synchroniseTorch = () => tf.tidy(() => tf.sum(tf.add(a, b))).dataSync();
  const addCode = backend.addon.kernelNames().indexOf('Add');
  if (addCode < 0) throw new Error("the addon has no native 'Add'");
  const handles = [backend.handleOf(a) as number, backend.handleOf(b) as number];
  const overhead = {
    tfjsAddMicroseconds: perCallMicroseconds(() => tf.add(a, b).dispose(), synchroniseTorch),
    tfjsReshapeMicroseconds: perCallMicroseconds(() => tf.reshape(a, [16]).dispose(), synchroniseTorch),
    addonAddMicroseconds: perCallMicroseconds(() => {
      const [output] = backend.collectOutputs(backend.addon.run(addCode, handles, {}));
      backend.disposeData((output as tf.TensorInfo).dataId);
    }, synchroniseTorch),
    cpuBackendAddMicroseconds: 0,
  };
  tf.dispose([a, b]);
  await tf.setBackend('cpu');
  const cpuA = tf.ones([4, 4]);
  const cpuB = tf.ones([4, 4]);
  overhead.cpuBackendAddMicroseconds = perCallMicroseconds(() => tf.add(cpuA, cpuB).dispose(), () => undefined);
  tf.dispose([cpuA, cpuB]);
  await tf.setBackend('torch');
  report['opOverhead'] = overhead;
  console.log(
    `one [4, 4] op, µs per call: tfjs Add ${overhead.tfjsAddMicroseconds.toFixed(2)}, Reshape ${overhead.tfjsReshapeMicroseconds.toFixed(2)}, ` +
      `addon Add alone ${overhead.addonAddMicroseconds.toFixed(2)}; tfjs Add on the cpu backend ${overhead.cpuBackendAddMicroseconds.toFixed(2)}`,
  );
  save();
} catch (error) {
  report['opOverhead'] = { error: error instanceof Error ? error.message : String(error) };
  console.log(`one [4, 4] op: not measured (${error instanceof Error ? error.message : String(error)})`);
  await tf.setBackend('torch');
  save();
}

// ---- timing ----
const timings: Array<{
  preset: string;
  msPerStep: number;
  asynchronousMsPerStep: number;
  /** Asynchronous steps' mean wall time minus JavaScript's waiting for kernels: the host floor (javascript-wait.ts). */
  asynchronousJavaScriptMsPerStep: number;
  firstLoss: number;
  lastLoss: number;
  /**
   * Largest |asynchronous − synchronous| / |synchronous| over the two runs' losses, step by step (both start from the
   * same seed). On the CPU the modes agree bitwise; CUDA's atomic scatter-adds (embedding gradients) may differ in the
   * last bits between any two runs, so this is reported, not required to be 0.
   */
  asynchronousLossesMaxRelativeDifference: number;
  fallbacks: string[];
  issueMsPerStep?: number;
  issuedStepMs?: number;
}> = [];

/** Runs `body` with kernels executed as `execution`, then restores the previous mode. */
async function withExecution<T>(execution: TorchExecution, body: () => T | Promise<T>): Promise<T> {
  const previous = registration.execution;
  registration.setExecution(execution);
  try {
    return await body();
  } finally {
    registration.setExecution(previous);
  }
}

/** Largest |a − b| / |b| over two equally long series (Infinity when their lengths differ or a value is not finite). */
function maxRelativeDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let largest = 0;
  a.forEach((value, index) => {
    const reference = b[index] as number;
    const difference = Math.abs(value - reference) / Math.max(Math.abs(reference), Number.MIN_VALUE);
    largest = Number.isFinite(difference) ? Math.max(largest, difference) : Infinity;
  });
  return largest;
}

/**
 * Milliseconds of each of `count` LM steps (loss read each step) after 30 untimed ones, every step's loss, and the
 * steps' mean JavaScript time (wall time minus waiting for kernels).
 */
function timeTrainerSteps(preset: TransformerConfig, count: number): { times: number[]; losses: number[]; javaScriptMsPerStep: number } {
  const trainer = createTransformerTrainer(preset);
  try {
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) losses.push(trainer.step());
    const times: number[] = [];
    const waitBefore = javaScriptWaitMs();
    for (let step = 0; step < count; step++) {
      const start = performance.now();
      losses.push(trainer.step());
      times.push(performance.now() - start);
    }
    return { times, losses, javaScriptMsPerStep: javaScriptTimePerStep(times, waitBefore).javaScriptMs };
  } finally {
    trainer.dispose();
  }
}
for (const presetName of presets) {
  const preset: TransformerConfig = transformerPresets[presetName];
  registration.usage.reset();
  const synchronous = await withExecution('synchronous', () => timeTrainerSteps(preset, steps));
  const asynchronous = await withExecution('asynchronous', () => timeTrainerSteps(preset, steps));
  const timing: (typeof timings)[number] = {
    preset: presetName,
    msPerStep: median(synchronous.times),
    asynchronousMsPerStep: median(asynchronous.times),
    asynchronousJavaScriptMsPerStep: asynchronous.javaScriptMsPerStep,
    firstLoss: synchronous.losses[0] as number,
    lastLoss: synchronous.losses.at(-1) as number,
    asynchronousLossesMaxRelativeDifference: maxRelativeDifference(asynchronous.losses, synchronous.losses),
    fallbacks: [...registration.usage.fallbackCalls().keys()],
  };
  // Host-bound or device-bound: the time to issue a step (no read-back) against the step with its loss read.
  const issueTrainer = createTransformerTrainer(preset);
  issueTrainer.step();
  const issueMs: number[] = [];
  const totalMs: number[] = [];
  for (let step = 0; step < 10; step++) {
    const start = performance.now();
    const loss = issueTrainer.stepWithoutRead();
    issueMs.push(performance.now() - start);
    loss.dataSync();
    totalMs.push(performance.now() - start);
    loss.dispose();
  }
  issueTrainer.dispose();
  timing.issueMsPerStep = median(issueMs);
  timing.issuedStepMs = median(totalMs);
  console.log(`tfjs torch ${presetName}: issuing a step takes ${median(issueMs).toFixed(2)} ms of its ${median(totalMs).toFixed(2)} ms (read-back included)`);
  timings.push(timing);
  // Kernel-level profile of every preset (the largest one's in full): which kernels take the time, and which ones
  // wait for the device.
  const profileTrainer = createTransformerTrainer(preset);
  for (let step = 0; step < 3; step++) profileTrainer.step();
  const profile = await profileTorchStep(() => profileTrainer.step());
  profileTrainer.dispose();
  report[`kernelProfile-${presetName}`] = profile;
  if (presetName === presets.at(-1)) {
    writeFileSync(join(outFolder, 'kernel-profile.md'), `kernel profile, preset ${presetName}\n${formatKernelProfile(profile, 40)}\n`);
  }
  console.log(`kernel profile (${presetName}):\n${formatKernelProfile(profile, 15)}`);
  console.log(
    `tfjs torch ${presetName}: ${timing.msPerStep.toFixed(2)} ms/step synchronous, ${timing.asynchronousMsPerStep.toFixed(2)} asynchronous ` +
      `(JavaScript ${timing.asynchronousJavaScriptMsPerStep.toFixed(2)} ms/step of it; loss ${timing.firstLoss.toFixed(4)} → ${timing.lastLoss.toFixed(4)}; ` +
      `asynchronous losses within ${timing.asynchronousLossesMaxRelativeDifference.toExponential(1)} relative of synchronous)`,
  );
  report['timings'] = timings;
  save();
}
