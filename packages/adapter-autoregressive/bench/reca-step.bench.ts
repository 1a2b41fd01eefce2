/**
 * Benchmark: milliseconds per recaStep and images per second of the autoregressive UMM, per preset, mode and
 * available backend, plus sampling images per second.
 * Run: `pnpm --filter @reca/adapter-autoregressive bench`.
 * Options (environment): RECA_BENCH_PRESETS (default 'tiny,small'), RECA_BENCH_BACKENDS (default: every available
 * one), RECA_BENCH_STEPS (measured steps, default 5), RECA_BENCH_BATCH (default 8), RECA_BENCH_SOFTWARE_ADAPTER=1 to
 * include a software WebGPU adapter.
 */
import { createRecaTrainingState, disposeCondition, recaStep, WordLevelTokenizer, reconstructionInstructions } from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { listAvailableBackends, tf, useBackend } from '@reca/runtime';
import { createAutoregressiveUmm, type AutoregressivePresetName, type GenerationMode } from '../src/index.js';

const presets = (process.env.RECA_BENCH_PRESETS ?? 'tiny,small').split(',').map((name) => name.trim()) as AutoregressivePresetName[];
const wantedBackends = process.env.RECA_BENCH_BACKENDS?.split(',').map((name) => name.trim());
const measuredSteps = Number(process.env.RECA_BENCH_STEPS ?? 5);
const batchSize = Number(process.env.RECA_BENCH_BATCH ?? 8);
const allowSoftwareAdapter = process.env.RECA_BENCH_SOFTWARE_ADAPTER === '1';
const warmupSteps = 1;
const tokenizer = WordLevelTokenizer.fromTexts(['a red blue green square circle triangle two image generate .', ...reconstructionInstructions, 'Generate an image.']);

interface Row {
  backend: string;
  preset: string;
  mode: GenerationMode;
  millisecondsPerStep: number;
  imagesPerSecond: number;
  sampleImagesPerSecond: number;
}

async function benchmark(preset: AutoregressivePresetName, mode: GenerationMode): Promise<Omit<Row, 'backend'>> {
  const model = createAutoregressiveUmm({ preset, tokenizer, seed: 0, overrides: { generator: { mode } } });
  const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-4 } } });
  const images = makeConformanceImages(batchSize, model.imageSize, 0);
  const captions = Array.from({ length: batchSize }, () => 'a red square');
  const batches = [
    { kind: 'reconstruction' as const, images },
    { kind: 'image-to-text' as const, images, captions },
  ];
  for (let step = 0; step < warmupSteps; step++) await recaStep(state, { batches });
  let started = performance.now();
  for (let step = 0; step < measuredSteps; step++) await recaStep(state, { batches });
  const millisecondsPerStep = (performance.now() - started) / measuredSteps;
  const condition = model.doBuildCondition({ texts: captions.slice(0, 2), understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
  const unconditional = model.doBuildCondition({ texts: ['', ''], understandingEmbeddings: undefined, dropText: [true, true], dropUnderstanding: undefined, training: false });
  started = performance.now();
  const { images: samples } = await model.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: undefined, seed: 0, temperature: undefined, adapterOptions: undefined });
  const sampleSeconds = (performance.now() - started) / 1000;
  tf.dispose([samples, images]);
  disposeCondition(condition);
  disposeCondition(unconditional);
  state.dispose();
  model.dispose();
  return { preset, mode, millisecondsPerStep, imagesPerSecond: (batchSize * batches.length * 1000) / millisecondsPerStep, sampleImagesPerSecond: 2 / sampleSeconds };
}

const rows: Row[] = [];
for (const availability of await listAvailableBackends({ allowSoftwareAdapter })) {
  if (wantedBackends && !wantedBackends.includes(availability.backend)) continue;
  if (!availability.available) {
    console.log(`skip ${availability.backend}: ${availability.reason}`);
    continue;
  }
  const active = await useBackend(availability.backend, { allowSoftwareAdapter });
  for (const preset of presets) {
    for (const mode of ['next-token', 'masked'] as const) {
      const row = { backend: active.backend, ...(await benchmark(preset, mode)) };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  tf.disposeVariables();
}

console.log(`\nrecaStep of the autoregressive UMM (reconstruction + I2T micro-batches of ${batchSize} images, ${measuredSteps} steps after ${warmupSteps} warm-up); sampling: 2 images, guidance 2`);
console.log(`${'backend'.padEnd(9)}${'preset'.padEnd(8)}${'mode'.padEnd(12)}${'ms/step'.padStart(10)}${'images/s'.padStart(10)}${'sample img/s'.padStart(14)}`);
for (const row of rows) {
  console.log(
    `${row.backend.padEnd(9)}${row.preset.padEnd(8)}${row.mode.padEnd(12)}${row.millisecondsPerStep.toFixed(1).padStart(10)}${row.imagesPerSecond.toFixed(1).padStart(10)}${row.sampleImagesPerSecond.toFixed(2).padStart(14)}`,
  );
}
process.exit(0);
