/**
 * Benchmark: recaStep milliseconds and images/s, and sampling images/s, of the diffusion adapter per preset and per
 * available backend. Run: `pnpm --filter @reca/adapter-diffusion bench`.
 * Options (environment):
 * - RECA_BENCH_PRESETS (default `tiny,small`; add `base` if it fits),
 * - RECA_BENCH_BACKENDS (default: every available backend but `cpu`, the slow reference backend; name it to include it),
 * - RECA_BENCH_BATCH (images per recaStep and per sampling call, default 8),
 * - RECA_BENCH_STEPS (most measured recaSteps per row, default 20), RECA_BENCH_SECONDS (time budget per row, default 20),
 * - RECA_BENCH_SOFTWARE_ADAPTER=1 to include a software WebGPU adapter (lavapipe).
 */
import { createRecaTrainingState, disposeCondition, recaStep } from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { type BackendName, listAvailableBackends, tf, useBackend } from '@reca/runtime';
import { createDiffusionUmm, type DiffusionPresetName } from '../src/index.js';

const presets = (process.env.RECA_BENCH_PRESETS ?? 'tiny,small').split(',').map((name) => name.trim()) as DiffusionPresetName[];
const requestedBackends = process.env.RECA_BENCH_BACKENDS?.split(',').map((name) => name.trim());
const batchSize = Number(process.env.RECA_BENCH_BATCH ?? 8);
const maximumSteps = Number(process.env.RECA_BENCH_STEPS ?? 20);
const secondsPerRow = Number(process.env.RECA_BENCH_SECONDS ?? 20);
const allowSoftwareAdapter = process.env.RECA_BENCH_SOFTWARE_ADAPTER === '1';

interface Row {
  backend: string;
  preset: string;
  parameters: number;
  steps: number;
  millisecondsPerStep: number;
  trainImagesPerSecond: number;
  samplingSteps: number;
  sampleImagesPerSecond: number;
  device: string;
}

/** Runs `work` once to warm up, then until `maximum` runs or the time budget is spent (at least `minimum` runs). */
async function timeRepeated(work: () => Promise<void>, maximum: number, minimum: number): Promise<{ runs: number; milliseconds: number }> {
  await work();
  const started = performance.now();
  let runs = 0;
  while (runs < maximum && (runs < minimum || performance.now() - started < secondsPerRow * 1000)) {
    await work();
    runs += 1;
  }
  return { runs, milliseconds: (performance.now() - started) / runs };
}

async function benchmark(backend: BackendName, device: string, preset: DiffusionPresetName): Promise<Row> {
  const model = createDiffusionUmm({ preset, seed: 0 });
  const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-4 } } });
  const images = makeConformanceImages(batchSize, model.imageSize, 0);
  const training = await timeRepeated(async () => {
    await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
  }, maximumSteps, 2);

  const texts = Array.from({ length: batchSize }, (_, index) => ['a red circle', 'two blue squares', 'a green triangle above a yellow circle'][index % 3] as string);
  const condition = model.doBuildCondition({ texts, understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
  const unconditional = model.doBuildCondition({ texts: texts.map(() => ''), understandingEmbeddings: undefined, dropText: texts.map(() => true), dropUnderstanding: undefined, training: false });
  const samplingSteps = (model.getConfig().sampling as { steps: number }).steps;
  let seed = 0;
  const sampling = await timeRepeated(async () => {
    const { images: sampled } = await model.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: undefined, seed: seed++, temperature: undefined, adapterOptions: undefined });
    sampled.dispose();
  }, 3, 1);
  const parameters = model.trainableVariables().reduce((sum, [, variable]) => sum + variable.size, 0);
  disposeCondition(condition);
  disposeCondition(unconditional);
  state.dispose();
  model.dispose();
  images.dispose();
  return {
    backend,
    preset,
    parameters,
    steps: training.runs,
    millisecondsPerStep: training.milliseconds,
    trainImagesPerSecond: (batchSize * 1000) / training.milliseconds,
    samplingSteps,
    sampleImagesPerSecond: (batchSize * 1000) / sampling.milliseconds,
    device,
  };
}

const rows: Row[] = [];
for (const availability of await listAvailableBackends({ allowSoftwareAdapter })) {
  if (requestedBackends ? !requestedBackends.includes(availability.backend) : availability.backend === 'cpu') continue;
  if (!availability.available) {
    console.log(`skip ${availability.backend}: ${availability.reason}`);
    continue;
  }
  const active = await useBackend(availability.backend, { allowSoftwareAdapter });
  for (const preset of presets) {
    const row = await benchmark(active.backend, active.device, preset);
    console.log(`${row.backend} ${row.preset}: ${row.millisecondsPerStep.toFixed(1)} ms/step, sampling ${row.sampleImagesPerSecond.toFixed(2)} images/s`);
    rows.push(row);
  }
  tf.disposeVariables();
}

console.log(`\nrecaStep (reconstruction, frozen understanding) and sampling (CFG 2, preset's Euler steps) of @reca/adapter-diffusion, batch ${batchSize}`);
console.log(
  `${'backend'.padEnd(9)}${'preset'.padEnd(8)}${'trainable'.padStart(11)}${'steps'.padStart(7)}${'ms/step'.padStart(11)}${'train img/s'.padStart(13)}${'ODE steps'.padStart(11)}${'sample img/s'.padStart(14)}  device`,
);
for (const row of rows) {
  console.log(
    `${row.backend.padEnd(9)}${row.preset.padEnd(8)}${row.parameters.toLocaleString('en-US').padStart(11)}${String(row.steps).padStart(7)}${row.millisecondsPerStep.toFixed(1).padStart(11)}${row.trainImagesPerSecond.toFixed(1).padStart(13)}${String(row.samplingSteps).padStart(11)}${row.sampleImagesPerSecond.toFixed(2).padStart(14)}  ${row.device}`,
  );
}
process.exit(0);
