/**
 * Benchmark: one `recaStep` (from @reca/core) of each adapter preset on every requested tfjs backend. Prints a table of
 * ms/step (median of the timed steps, each step timed on its own: a recaStep reads its losses back, so it ends when
 * the backend has finished), the first and last loss of the timed run, the trainable parameter count, the cpu
 * fallbacks of the torch backend, and the torch/wasm ratio per (family, preset). The second half of the runtime-torch
 * benchmark; the first, bench/train-step.bench.ts, times a causal transformer LM step and compares it with PyTorch.
 *
 * The micro-batches and training state are bench/bench-reca-batches.ts's (the reference exporters record the same);
 * the autoregressive model uses a word-level tokenizer over a small vocabulary and its preset's generation mode.
 * PyTorch: every family's recaStep has a PyTorch twin (bench/pytorch-reca-step-<family>.py: the same architecture,
 * parameter names, losses, clipping and AdamW, checked against exported TS weights with `--check`); they run first,
 * in a child process, on every core (PyTorch's own default; `--threads N` sets theirs), and the table gains a
 * "× PyTorch" column. The torch backend runs with its defaults (`RECA_TORCH_EXECUTION`, `RECA_TORCH_THREADS` change them).
 * "ATen ops/step": the ATen operators one more step runs, counted by the addon's census on the torch backend and by
 * torch's profiler in the twin (src/test-support/operator-census.ts): the host work that decides a GPU step. A torch
 * row's note gives its JavaScript time per step (wall time minus waiting for kernels: src/test-support/javascript-wait.ts).
 *
 * Usage: pnpm bench:reca-step [-- --families diffusion,masked-autoregressive,autoregressive] [--presets tiny,small]
 *        [--backends torch,wasm,cpu] [--batch 8] [--steps 20] [--warmup 30] [--device auto|cpu|cuda]
 *        [--no-pytorch] [--pytorch-again] [--pytorch-bounded-wait] [--profile] [--json results.json]
 * `--no-pytorch` skips the twins; `--pytorch-again` runs them a second time after the tfjs rows, and the ratio table
 * gives the ratio to each run (a machine whose speed drifts during the bench shows as two different ratios).
 * The twins run with the environment this process had before the torch backend registered (bench/pytorch-environment.ts),
 * so PyTorch keeps libgomp's default wait; `--pytorch-bounded-wait` gives them the torch backend's bounded spin instead. `--profile` prints a kernel-level profile of one torch recaStep per row (src/test-support/kernel-profile.ts).
 * Defaults: every family, preset `tiny` (`small` and `base` exist), backends `torch,wasm` (`cpu` is the slow
 * reference backend), batch 8, 20 timed steps after 30 untimed ones (V8 optimises the JavaScript over the first dozens of steps), device `auto`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAutoregressiveUmm, type AutoregressivePresetName } from '@reca/adapter-autoregressive';
import { createDiffusionUmm, type DiffusionPresetName } from '@reca/adapter-diffusion';
import { createMaskedAutoregressiveUmm, type MaskedAutoregressivePresetName } from '@reca/adapter-masked-autoregressive';
import { recaStep, type RecaMicroBatch, type UnifiedMultimodalModelV1 } from '@reca/core';
import { tf, type BackendName } from '@reca/runtime';
import { findPythonTorch } from '../scripts/find-libtorch.js';
import { registerTorchBackend } from '../src/register-torch-backend.js';
import { activateBenchBackend } from './activate-bench-backend.js';
import { benchMicroBatches, benchTrainingState, type BenchFamilyName } from './bench-reca-batches.js';
import { flag, listOption, option } from './bench-command-line.js';
import { autoregressiveBenchTokenizer } from './bench-tokenizer.js';
import { median } from './median.js';
import { pytorchEnvironment, pytorchWaitNote } from './pytorch-environment.js';
import { parsePyTorchTimingLine } from './pytorch-timing-line.js';
import { formatKernelProfile, profileTorchStep } from '../src/test-support/kernel-profile.js';
import { countAtenOperators } from '../src/test-support/operator-census.js';
import { describeJavaScriptTime, javaScriptWaitMs } from '../src/test-support/javascript-wait.js';
import type { TorchDeviceRequest } from '../src/torch-backend-options.js';
import type { TorchBackendRegistration } from '../src/torch-backend-registration.js';

/** The adapter families benchmarked. */
type FamilyName = BenchFamilyName;

/** Preset names every family has. */
type PresetName = DiffusionPresetName & MaskedAutoregressivePresetName & AutoregressivePresetName;

/** A model and the micro-batches of one recaStep; `images` is `[batch, imageSize, imageSize, 3]`. */
interface RecaStepSubject {
  readonly model: UnifiedMultimodalModelV1;
  readonly images: tf.Tensor4D;
  readonly batches: readonly RecaMicroBatch[];
}

/** One row of the table. */
interface BenchRow {
  readonly family: FamilyName;
  readonly preset: PresetName;
  readonly backend: BackendName | 'pytorch';
  readonly device: string;
  readonly trainableParameters: number | null;
  readonly msPerStep: number | null;
  /** ATen operators one step ran (torch backend: the addon's census; PyTorch: its profiler's `aten::` events). */
  readonly atenOperatorsPerStep?: number;
  /** Every timed step's milliseconds, in order (the JSON's view of the spread; the table prints the median). */
  readonly stepsMs: readonly number[];
  readonly firstLoss: number | null;
  readonly lastLoss: number | null;
  readonly note: string;
}

const familyNames: readonly FamilyName[] = ['diffusion', 'masked-autoregressive', 'autoregressive'];
const presetNames: readonly PresetName[] = ['tiny', 'small', 'base'];
const backendChoices: readonly BackendName[] = ['torch', 'wasm', 'cpu'];


function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] as string) : String(error);
}

const families = listOption('families', familyNames.join(','), familyNames);
const presets = listOption('presets', 'tiny', presetNames);
const backends = listOption('backends', 'torch,wasm', backendChoices);
const batchSize = Number(option('batch', '8'));
const steps = Number(option('steps', '20'));
const warmup = Number(option('warmup', '30'));
const device = option('device', 'auto') as TorchDeviceRequest;
const jsonPath = option('json', '');
const profile = flag('profile');
const runPyTorch = !flag('no-pytorch');
const runPyTorchAgain = runPyTorch && flag('pytorch-again');
const twinEnvironment = pytorchEnvironment(flag('pytorch-bounded-wait'));
const threadOption = option('threads', '');

/** Where the twins live: this file's folder, or `RECA_BENCH_SCRIPTS` (the GPU check runs this bench as a bundle). */
const scriptsFolder = process.env['RECA_BENCH_SCRIPTS'] ?? dirname(fileURLToPath(import.meta.url));

/** Families with a PyTorch twin (bench/pytorch-reca-step-<family>.py). */
const pytorchTwins: Partial<Record<FamilyName, string>> = {
  diffusion: 'pytorch-reca-step-diffusion.py',
  'masked-autoregressive': 'pytorch-reca-step-masked-autoregressive.py',
  autoregressive: 'pytorch-reca-step-autoregressive.py',
};

/** Runs the PyTorch twin of (family, preset) with the bench's batch, warm-up and steps; undefined when there is none. */
function benchPyTorchTwin(family: FamilyName, preset: PresetName, python: string | undefined): BenchRow | undefined {
  const script = pytorchTwins[family];
  if (script === undefined) return undefined;
  const row = (fields: Partial<BenchRow>): BenchRow => ({ family, preset, backend: 'pytorch', device: '-', trainableParameters: null, msPerStep: null, stepsMs: [], firstLoss: null, lastLoss: null, note: '', ...fields });
  if (python === undefined) return row({ note: 'no Python with torch' });
  // PyTorch's default: a thread per core (the torch backend's own default leaves one core to JavaScript when it queues).
  const threads = threadOption !== '' ? Number(threadOption) : availableParallelism();
  const pythonDevice = device === 'auto' ? 'cpu' : device;
  try {
    const output = execFileSync(
      python,
      [join(scriptsFolder, script), '--preset', preset, '--batch', String(batchSize), '--warmup', String(warmup), '--steps', String(steps), '--threads', String(threads), '--device', pythonDevice],
      { encoding: 'utf8', timeout: 1_200_000, stdio: ['ignore', 'pipe', 'pipe'], env: twinEnvironment },
    );
    const result = parsePyTorchTimingLine(output);
    return row({
      device: `${result.device}${pythonDevice === 'cpu' ? `, ${result.threads} threads` : ''} (PyTorch ${result.torchVersion})`,
      trainableParameters: result.parameters ?? null,
      msPerStep: result.msPerStep,
      ...(result.atenOperatorsPerStep === undefined ? {} : { atenOperatorsPerStep: result.atenOperatorsPerStep }),
      stepsMs: result.stepsMs ?? [],
      firstLoss: result.firstLoss,
      lastLoss: result.lastLoss,
      note: `${script}; its own random draws (same distributions); ${pytorchWaitNote(twinEnvironment)}`,
    });
  } catch (error) {
    return row({ note: `failed: ${firstLine(error)}` });
  }
}

/** The autoregressive adapter's text tokenizer: a word-level vocabulary over the captions and the RecA instructions. */

/** Builds the model of `family` at `preset` (seed 0) and the micro-batches its own bench uses. */
function createSubject(family: FamilyName, preset: PresetName): RecaStepSubject {
  const model =
    family === 'diffusion'
      ? createDiffusionUmm({ preset, seed: 0 })
      : family === 'masked-autoregressive'
        ? createMaskedAutoregressiveUmm({ preset, seed: 0 })
        : createAutoregressiveUmm({ preset, tokenizer: autoregressiveBenchTokenizer, seed: 0 });
  return { model, ...benchMicroBatches(family, model.imageSize, batchSize) };
}

/** Makes `backend` the active tfjs backend; returns its device description. */
async function activate(backend: BackendName, torch: TorchBackendRegistration | undefined, torchError: string): Promise<string> {
  if (backend === 'torch' && torch === undefined) throw new Error(`the torch backend did not register: ${torchError}`);
  return activateBenchBackend(backend);
}

async function benchRow(family: FamilyName, preset: PresetName, backend: BackendName, torch: TorchBackendRegistration | undefined, torchError: string): Promise<BenchRow> {
  const unavailable = (reason: string): BenchRow => ({ family, preset, backend, device: '-', trainableParameters: null, msPerStep: null, stepsMs: [], firstLoss: null, lastLoss: null, note: reason });
  let deviceDescription: string;
  try {
    deviceDescription = await activate(backend, torch, torchError);
  } catch (error) {
    return unavailable(`unavailable: ${firstLine(error)}`);
  }
  if (backend === 'torch') torch?.usage.reset();
  const tensorsBefore = tf.memory().numTensors;
  const subject = createSubject(family, preset);
  const state = benchTrainingState(subject.model);
  const trainableParameters = subject.model.trainableVariables().reduce((sum, [, variable]) => sum + variable.size, 0);
  const times: number[] = [];
  const losses: number[] = [];
  let failure: string | undefined;
  let atenOperatorsPerStep: number | undefined;
  let javaScript: string | undefined;
  try {
    for (let index = 0; index < warmup; index++) await recaStep(state, { batches: subject.batches });
    const waitBefore = javaScriptWaitMs();
    for (let index = 0; index < steps; index++) {
      const started = performance.now();
      const result = await recaStep(state, { batches: subject.batches });
      times.push(performance.now() - started);
      losses.push(result.loss);
    }
    if (backend === 'torch') javaScript = describeJavaScriptTime(times, waitBefore);
    if (backend === 'torch') atenOperatorsPerStep = (await countAtenOperators(() => recaStep(state, { batches: subject.batches }))).total;
    if (profile && backend === 'torch') {
      const kernelProfile = await profileTorchStep(() => recaStep(state, { batches: subject.batches }));
      console.log(`\nkernel profile of one torch recaStep: ${family} ${preset}\n${formatKernelProfile(kernelProfile, 20)}\n`);
    }
  } catch (error) {
    failure = `failed: ${firstLine(error)}`;
  }
  const fallbacks = backend === 'torch' && torch !== undefined ? [...torch.usage.fallbackCalls()].map(([name, calls]) => `${name}×${calls}`) : [];
  state.dispose();
  subject.model.dispose();
  subject.images.dispose();
  const tensorsAfter = tf.memory().numTensors;
  if (tensorsAfter > tensorsBefore) {
    console.warn(`warning: ${family} ${preset} on ${backend} left ${tensorsAfter - tensorsBefore} tensors (${tensorsBefore} → ${tensorsAfter})`);
  }
  const notes = [failure ?? `${times.length} timed steps after ${warmup}`];
  if (javaScript !== undefined) notes.push(javaScript);
  if (backend === 'torch') notes.push(fallbacks.length === 0 ? 'no cpu fallbacks' : `cpu fallbacks: ${fallbacks.join(', ')}`);
  return {
    family,
    preset,
    backend,
    device: deviceDescription,
    trainableParameters,
    msPerStep: times.length === 0 ? null : median(times),
    ...(atenOperatorsPerStep === undefined ? {} : { atenOperatorsPerStep }),
    stepsMs: times,
    firstLoss: losses[0] ?? null,
    lastLoss: losses.at(-1) ?? null,
    note: notes.join('; '),
  };
}

function formatTable(header: readonly string[], body: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function formatRows(rows: readonly BenchRow[]): string {
  return formatTable(
    ['family', 'preset', 'backend', 'device', 'trainable', 'ms/step', 'ATen ops/step', 'loss (first → last)', 'note'],
    rows.map((row) => [
      row.family,
      row.preset,
      row.backend,
      row.device,
      row.trainableParameters === null ? '-' : row.trainableParameters.toLocaleString('en-US'),
      row.msPerStep === null ? '-' : row.msPerStep.toFixed(1),
      row.atenOperatorsPerStep === undefined ? '-' : String(row.atenOperatorsPerStep),
      row.firstLoss === null ? '-' : `${row.firstLoss.toFixed(4)} → ${(row.lastLoss as number).toFixed(4)}`,
      row.note,
    ]),
  );
}

/** torch ms/step over wasm ms/step per (family, preset) where both were measured. */
function formatRatios(rows: readonly BenchRow[]): string {
  const body: string[][] = [];
  for (const family of families) {
    for (const preset of presets) {
      const msOf = (backend: BackendName) => rows.find((row) => row.family === family && row.preset === preset && row.backend === backend)?.msPerStep ?? null;
      const torchMs = msOf('torch');
      const wasmMs = msOf('wasm');
      body.push([family, preset, torchMs === null || wasmMs === null ? '-' : (torchMs / wasmMs).toFixed(2)]);
    }
  }
  return formatTable(['family', 'preset', 'torch / wasm'], body);
}

/** Runs every family's twin at every preset; `label` is added to each row's note. */
function benchPyTorchTwins(label: string): BenchRow[] {
  const twinRows: BenchRow[] = [];
  const python = findPythonTorch()?.python;
  for (const family of families) {
    for (const preset of presets) {
      const row = benchPyTorchTwin(family, preset, python);
      if (row === undefined) continue;
      console.log(`${family} ${preset} pytorch${label === '' ? '' : ` (${label})`}: ${row.msPerStep === null ? row.note : `${row.msPerStep.toFixed(1)} ms/step`}`);
      twinRows.push(label === '' ? row : { ...row, note: `${label}; ${row.note}` });
    }
  }
  return twinRows;
}

// The PyTorch twins first: this process has not started ATen's thread pool yet, so nothing competes with them.
const pythonRows: BenchRow[] = runPyTorch ? benchPyTorchTwins('') : [];
/** Each tfjs backend's ms/step over PyTorch's per (family, preset) with a twin. */
function formatPyTorchRatios(allRows: readonly BenchRow[]): string {
  const body: string[][] = [];
  for (const family of families) {
    for (const preset of presets) {
      const msOf = (backend: string) => allRows.find((row) => row.family === family && row.preset === preset && row.backend === backend)?.msPerStep ?? null;
      // One ratio per twin run (two with --pytorch-again: before / after the tfjs rows), '-' for a run that failed.
      const pytorchMs = allRows
        .filter((row) => row.family === family && row.preset === preset && row.backend === 'pytorch')
        .map((row) => row.msPerStep);
      if (pytorchMs.every((ms) => ms === null)) continue;
      body.push([family, preset, ...backends.map((backend) => {
        const ms = msOf(backend);
        return ms === null ? '-' : pytorchMs.map((twinMs) => (twinMs === null ? '-' : (ms / twinMs).toFixed(2))).join(' / ');
      })]);
    }
  }
  const runs = runPyTorchAgain ? ' (twin before / after)' : '';
  return formatTable(['family', 'preset', ...backends.map((backend) => `${backend} / PyTorch${runs}`)], body);
}

let torch: TorchBackendRegistration | undefined;
let torchError = '';
if (backends.includes('torch')) {
  try {
    torch = await registerTorchBackend({ device });
  } catch (error) {
    torchError = firstLine(error);
    console.warn(`torch backend unavailable: ${torchError}`);
  }
}
const rows: BenchRow[] = [];
for (const family of families) {
  for (const preset of presets) {
    for (const backend of backends) {
      const row = await benchRow(family, preset, backend, torch, torchError);
      console.log(`${row.family} ${row.preset} ${row.backend}: ${row.msPerStep === null ? row.note : `${row.msPerStep.toFixed(1)} ms/step`}`);
      rows.push(row);
    }
    const twin = pythonRows.find((row) => row.family === family && row.preset === preset);
    if (twin !== undefined) rows.push(twin);
  }
}
// With --pytorch-again, the twins once more, after the tfjs rows (each placed after its first run).
if (runPyTorchAgain) {
  for (const again of benchPyTorchTwins('again, after the tfjs rows')) {
    const first = rows.findIndex((row) => row.family === again.family && row.preset === again.preset && row.backend === 'pytorch');
    rows.splice(first < 0 ? rows.length : first + 1, 0, again);
  }
}
console.log(`\nrecaStep per adapter preset, batch ${batchSize}; median of ${steps} individually timed steps after ${warmup} untimed ones`);
console.log(formatRows(rows));
if (backends.includes('torch') && backends.includes('wasm')) console.log(`\n${formatRatios(rows)}`);
if (pythonRows.length > 0) console.log(`\n${formatPyTorchRatios(rows)}`);
const missingTwins = families.filter((family) => pytorchTwins[family] === undefined);
if (missingTwins.length > 0) console.log(`PyTorch: no twin for ${missingTwins.join(', ')} yet.`);
if (jsonPath !== '') writeFileSync(jsonPath, `${JSON.stringify({ batchSize, steps, warmup, device, families, presets, backends, rows }, null, 2)}\n`);
process.exit(0);
