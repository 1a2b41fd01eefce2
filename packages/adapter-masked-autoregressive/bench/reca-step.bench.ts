/**
 * Benchmark of the masked-autoregressive adapter: milliseconds per `recaStep` (Harmon's mix: one reconstruction and
 * one I2T micro-batch) and images per second, per preset and available backend, plus sampling images per second.
 * Run: `pnpm --filter @reca/adapter-masked-autoregressive bench` (after `pnpm build`).
 * Environment: RECA_BENCH_STEPS (measured steps, default 5), RECA_BENCH_BATCH (default 8), RECA_BENCH_PRESETS
 * (default 'tiny,small'; add 'base' where it fits), RECA_BENCH_BACKENDS (default: every available one),
 * RECA_BENCH_SAMPLING_STEPS (MAR iterations when sampling, default: the preset's).
 */
import { createRecaTrainingState, disposeCondition, recaStep } from '@reca/core';
import { listAvailableBackends, tf, useBackend } from '@reca/runtime';
import { colouredSquares } from '../src/__fixtures__/coloured-squares.js';
import { createMaskedAutoregressiveUmm, type MaskedAutoregressivePresetName } from '../src/index.js';

const measuredSteps = Number(process.env.RECA_BENCH_STEPS ?? 5);
const batchSize = Number(process.env.RECA_BENCH_BATCH ?? 8);
const presets = (process.env.RECA_BENCH_PRESETS ?? 'tiny,small').split(',') as MaskedAutoregressivePresetName[];
const backendFilter = process.env.RECA_BENCH_BACKENDS?.split(',');
const samplingSteps = process.env.RECA_BENCH_SAMPLING_STEPS ? Number(process.env.RECA_BENCH_SAMPLING_STEPS) : undefined;

interface Row {
  backend: string;
  preset: string;
  parameters: number;
  millisecondsPerStep: number;
  trainingImagesPerSecond: number;
  samplingImagesPerSecond: number;
  samplingSetting: string;
}

async function benchmark(backend: string, preset: MaskedAutoregressivePresetName): Promise<Row> {
  const model = createMaskedAutoregressiveUmm({ preset, seed: 0 });
  const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-4 } } });
  const { images, captions } = colouredSquares(batchSize, model.imageSize, 0);
  const batches = [
    { kind: 'reconstruction' as const, images },
    { kind: 'image-to-text' as const, images, captions },
  ];
  await recaStep(state, { batches }); // warm-up (kernels, optimizer moments)
  let started = performance.now();
  for (let step = 0; step < measuredSteps; step++) await recaStep(state, { batches });
  const millisecondsPerStep = (performance.now() - started) / measuredSteps;

  const condition = model.doBuildCondition({ texts: captions, understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
  const unconditional = model.doBuildCondition({ texts: captions.map(() => ''), understandingEmbeddings: undefined, dropText: captions.map(() => true), dropUnderstanding: undefined, training: false });
  const iterations = samplingSteps ?? model.config.sampling.iterations;
  started = performance.now();
  const { images: samples } = await model.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 3, steps: iterations, seed: 0, temperature: undefined, adapterOptions: undefined });
  await samples.data();
  const samplingSeconds = (performance.now() - started) / 1000;
  const parameters = Object.values(model.namedWeights()).reduce((sum, tensor) => sum + tensor.size, 0);
  tf.dispose([samples, images]);
  disposeCondition(condition);
  disposeCondition(unconditional);
  state.dispose();
  model.dispose();
  return {
    backend,
    preset,
    parameters,
    millisecondsPerStep,
    trainingImagesPerSecond: (2 * batchSize * 1000) / millisecondsPerStep,
    samplingImagesPerSecond: batchSize / samplingSeconds,
    samplingSetting: `${iterations} it × ${model.config.sampling.diffusionSteps} ${model.config.sampling.sampler}, cfg 3`,
  };
}

const rows: Row[] = [];
for (const availability of await listAvailableBackends()) {
  if (!availability.available || (backendFilter && !backendFilter.includes(availability.backend))) {
    if (!availability.available) console.log(`skip ${availability.backend}: ${availability.reason}`);
    continue;
  }
  const active = await useBackend(availability.backend);
  for (const preset of presets) {
    const row = await benchmark(active.backend, preset);
    rows.push(row);
    console.log(`${row.backend} ${row.preset}: ${row.millisecondsPerStep.toFixed(0)} ms/step`);
  }
}

console.log(`\nrecaStep of MaskedAutoregressiveUmm (reconstruction + I2T micro-batches of ${batchSize}, ${measuredSteps} steps after 1 warm-up)`);
console.log(`${'backend'.padEnd(9)}${'preset'.padEnd(8)}${'params'.padStart(11)}${'ms/step'.padStart(11)}${'train img/s'.padStart(13)}${'sample img/s'.padStart(14)}  sampling`);
for (const row of rows) {
  console.log(
    `${row.backend.padEnd(9)}${row.preset.padEnd(8)}${row.parameters.toString().padStart(11)}${row.millisecondsPerStep.toFixed(1).padStart(11)}${row.trainingImagesPerSecond.toFixed(2).padStart(13)}${row.samplingImagesPerSecond.toFixed(3).padStart(14)}  ${row.samplingSetting}`,
  );
}
process.exit(0);
