/**
 * Benchmark: one Adam training step of a small causal transformer LM (src/test-support/tiny-causal-transformer.ts,
 * built from @reca/runtime's nn blocks) on every available tfjs backend, and the same model in PyTorch when a Python
 * imports torch (bench/pytorch-train-step.py). Prints a table of ms/step (median) and the ratio to PyTorch, and the
 * ATen operators one step runs on the torch backend and in PyTorch (src/test-support/operator-census.ts: the host work
 * that decides a GPU step); the torch row's note gives its JavaScript time per step (src/test-support/javascript-wait.ts).
 *
 * PyTorch runs first (in a child process, before this process computes anything), then each tfjs backend. Each step
 * is timed on its own (it reads back its loss) after `--warmup` untimed steps; the median is reported. JavaScript needs
 * a few dozen steps before V8 has optimised the hot paths (measured: 22.3 ms/step after 10, 19.5 after 30), hence the
 * default of 30 warm-up steps for both (a training run takes thousands).
 * `--profile` adds a kernel-level profile of one torch step (src/test-support/kernel-profile.ts). PyTorch keeps
 * libgomp's default OpenMP wait; `--pytorch-bounded-wait` gives it the torch backend's (bench/pytorch-environment.ts).
 * recaStep of the adapters: bench/reca-step.bench.ts.
 *
 * Usage: pnpm bench:lm [-- --preset tiny|small|medium|large] [--steps 30] [--warmup 30] [--backends torch,wasm,cpu]
 *        [--device cpu|cuda] [--threads N] [--no-pytorch] [--pytorch-bounded-wait] [--profile] [--json results.json]
 * The cpu backend is slow (seconds per step at `small`); it runs `--cpu-steps` steps (default 3).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { tf, type BackendName } from '@reca/runtime';
import { findPythonTorch } from '../scripts/find-libtorch.js';
import { registerTorchBackend } from '../src/register-torch-backend.js';
import { median } from './median.js';
import { pytorchEnvironment, pytorchWaitNote } from './pytorch-environment.js';
import { parsePyTorchTimingLine } from './pytorch-timing-line.js';
import { activateBenchBackend } from './activate-bench-backend.js';
import { flag, option } from './bench-command-line.js';
import type { TorchDeviceRequest } from '../src/torch-backend-options.js';
import type { TorchBackendRegistration } from '../src/torch-backend-registration.js';
import { formatKernelProfile, profileTorchStep, type KernelProfile } from '../src/test-support/kernel-profile.js';
import { countAtenOperators } from '../src/test-support/operator-census.js';
import { describeJavaScriptTime, javaScriptWaitMs } from '../src/test-support/javascript-wait.js';
import { createTransformerTrainer, transformerPresets, type TransformerConfig } from '../src/test-support/tiny-causal-transformer.js';

/** One row of the table. */
interface BenchRow {
  readonly runtime: string;
  readonly device: string;
  readonly msPerStep: number | null;
  /** ATen operators one step ran (torch backend: the addon's census; PyTorch: its profiler's `aten::` events). */
  readonly atenOperatorsPerStep?: number;
  readonly firstLoss: number | null;
  readonly lastLoss: number | null;
  readonly note: string;
}


const presetName = option('preset', 'small') as keyof typeof transformerPresets;
const preset: TransformerConfig | undefined = transformerPresets[presetName];
if (preset === undefined) throw new Error(`--preset must be one of ${Object.keys(transformerPresets).join(', ')}`);
const steps = Number(option('steps', '30'));
const cpuSteps = Number(option('cpu-steps', '3'));
const warmup = Number(option('warmup', '30'));
const backends = option('backends', 'torch,wasm,cpu').split(',') as BackendName[];
const device = option('device', 'auto') as TorchDeviceRequest;
const threadOption = option('threads', '');
const threads = threadOption === '' ? undefined : Number(threadOption);
const jsonPath = option('json', '');
const runPyTorch = !flag('no-pytorch');
const profile = flag('profile');

/** Times `count` steps after `warmupCount` untimed ones; returns per-step times and the losses. */
function timeSteps(step: () => number, warmupCount: number, count: number): { times: number[]; losses: number[]; javaScript: string } {
  const losses: number[] = [];
  for (let index = 0; index < warmupCount; index++) losses.push(step());
  const times: number[] = [];
  const waitBefore = javaScriptWaitMs();
  for (let index = 0; index < count; index++) {
    const start = performance.now();
    losses.push(step());
    times.push(performance.now() - start);
  }
  const javaScript = describeJavaScriptTime(times, waitBefore);
  return { times, losses, javaScript };
}

async function benchTfjs(backend: BackendName, torch: TorchBackendRegistration | undefined): Promise<BenchRow> {
  let deviceDescription: string;
  try {
    if (backend === 'torch' && torch === undefined) throw new Error('the torch backend did not register');
    deviceDescription = await activateBenchBackend(backend);
    if (backend === 'torch') torch?.usage.reset();
  } catch (error) {
    return { runtime: `tfjs ${backend}`, device: '-', msPerStep: null, firstLoss: null, lastLoss: null, note: `unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  const trainer = createTransformerTrainer(preset as TransformerConfig);
  const count = backend === 'cpu' ? cpuSteps : steps;
  const { times, losses, javaScript } = timeSteps(() => trainer.step(), backend === 'cpu' ? 1 : warmup, count);
  const census = backend === 'torch' ? await countAtenOperators(() => trainer.step()) : undefined;
  trainer.dispose();
  const fallbacks = backend === 'torch' && torch !== undefined ? [...torch.usage.fallbackCalls()].map(([name, calls]) => `${name}×${calls}`) : [];
  return {
    runtime: `tfjs ${backend}`,
    device: deviceDescription,
    msPerStep: median(times),
    ...(census === undefined ? {} : { atenOperatorsPerStep: census.total }),
    firstLoss: losses[0] ?? null,
    lastLoss: losses.at(-1) ?? null,
    note: backend === 'torch' ? `${javaScript}; ${fallbacks.length === 0 ? 'no cpu fallbacks' : `cpu fallbacks: ${fallbacks.join(', ')}`}` : `${count} timed steps`,
  };
}

function benchPyTorch(threads: number, torchDevice: string): BenchRow {
  const python = findPythonTorch();
  if (python === undefined) return { runtime: 'PyTorch', device: '-', msPerStep: null, firstLoss: null, lastLoss: null, note: 'no Python with torch' };
  const script = fileURLToPath(new URL('./pytorch-train-step.py', import.meta.url));
  const pythonDevice = torchDevice.startsWith('cuda') ? torchDevice : 'cpu';
  const environment = pytorchEnvironment(flag('pytorch-bounded-wait'));
  const output = execFileSync(
    python.python,
    [script, '--preset', presetName, '--steps', String(steps), '--warmup', String(warmup), '--threads', String(threads), '--device', pythonDevice],
    { encoding: 'utf8', timeout: 600_000, env: environment },
  );
  const result = parsePyTorchTimingLine(output);
  return {
    runtime: `PyTorch ${result.torchVersion}`,
    device: `${result.device}${pythonDevice === 'cpu' ? `, ${result.threads} threads` : ''}`,
    msPerStep: result.msPerStep,
    ...(result.atenOperatorsPerStep === undefined ? {} : { atenOperatorsPerStep: result.atenOperatorsPerStep }),
    firstLoss: result.firstLoss,
    lastLoss: result.lastLoss,
    note: `${python.python}; ${pytorchWaitNote(environment)}`,
  };
}

function formatTable(rows: readonly BenchRow[], baseline: number | null): string {
  const header = ['runtime', 'device', 'ms/step', '× PyTorch', 'ATen ops/step', 'loss (first → last)', 'note'];
  const body = rows.map((row) => [
    row.runtime,
    row.device,
    row.msPerStep === null ? '-' : row.msPerStep.toFixed(1),
    row.msPerStep === null || baseline === null ? '-' : (row.msPerStep / baseline).toFixed(2),
    row.atenOperatorsPerStep === undefined ? '-' : String(row.atenOperatorsPerStep),
    row.firstLoss === null ? '-' : `${row.firstLoss.toFixed(4)} → ${(row.lastLoss as number).toFixed(4)}`,
    row.note,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

// PyTorch first: this process has not started ATen's thread pool yet, so nothing competes with the child.
const pytorchDevice = device === 'auto' || device === 'cpu' ? 'cpu' : device;
// `--threads` sets both; otherwise each side keeps its default (PyTorch: a thread per core).
const pytorchThreads = threads ?? availableParallelism();
const pytorch = runPyTorch ? benchPyTorch(pytorchThreads, pytorchDevice) : undefined;
let torch: TorchBackendRegistration | undefined;
if (backends.includes('torch')) {
  try {
    torch = await registerTorchBackend({ device, ...(threads === undefined ? {} : { threads }) });
  } catch (error) {
    console.warn(`torch backend unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (pytorch !== undefined && torch !== undefined && torch.computeDevice !== 'cpu' && pytorchDevice === 'cpu') {
  console.warn(`PyTorch ran on the CPU but the torch backend computes on ${torch.computeDevice}: pass --device ${torch.computeDevice}`);
}
const rows: BenchRow[] = [];
for (const backend of backends) rows.push(await benchTfjs(backend, torch));
if (pytorch !== undefined) rows.push(pytorch);
const { dim, layers, batchSize, sequenceLength, vocabularySize } = preset;
console.log(`\ntransformer LM training step, preset '${presetName}' (D${dim}, ${layers} layers, B${batchSize}, T${sequenceLength}, vocab ${vocabularySize}); median of ${steps} steps after ${warmup} warm-up steps (cpu: ${cpuSteps})`);
console.log(formatTable(rows, pytorch?.msPerStep ?? null));
let kernelProfile: KernelProfile | undefined;
if (profile && torch !== undefined) {
  await tf.setBackend('torch');
  const trainer = createTransformerTrainer(preset as TransformerConfig);
  for (let index = 0; index < warmup; index++) trainer.step();
  kernelProfile = await profileTorchStep(() => trainer.step());
  trainer.dispose();
  console.log(`\nkernel profile of one torch step (${torch.device})`);
  console.log(formatKernelProfile(kernelProfile));
}
if (jsonPath !== '') writeFileSync(jsonPath, `${JSON.stringify({ preset: presetName, config: preset, steps, warmup, rows, kernelProfile }, null, 2)}\n`);
