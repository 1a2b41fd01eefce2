/**
 * Benchmark: milliseconds per recaStep of the mock model on every available backend.
 * Run: `pnpm bench` from the repository root (or `pnpm --filter @reca/core bench`).
 * Options (environment): RECA_BENCH_STEPS (measured steps, default 30), RECA_BENCH_BATCH (default 16),
 * RECA_BENCH_SOFTWARE_ADAPTER=1 to include a software WebGPU adapter (lavapipe).
 */
import { createRecaTrainingState, recaStep } from '@reca/core';
import { makeConformanceImages, MockUnifiedModel } from '@reca/core/test';
import { listAvailableBackends, tf, useBackend } from '@reca/runtime';

const measuredSteps = Number(process.env.RECA_BENCH_STEPS ?? 30);
const batchSize = Number(process.env.RECA_BENCH_BATCH ?? 16);
const allowSoftwareAdapter = process.env.RECA_BENCH_SOFTWARE_ADAPTER === '1';
const warmupSteps = 3;

interface Row {
  backend: string;
  device: string;
  configuration: string;
  millisecondsPerStep: number;
  imagesPerSecond: number;
}

async function benchmark(configuration: string, understandingTrainable: boolean, withImageToText: boolean): Promise<Omit<Row, 'backend' | 'device'>> {
  const model = new MockUnifiedModel({ seed: 0, understandingTrainable });
  const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-3 } } });
  const images = makeConformanceImages(batchSize, model.imageSize, 0);
  const captions = Array.from({ length: batchSize }, () => 'a red image');
  const batches = withImageToText
    ? [
        { kind: 'reconstruction' as const, images },
        { kind: 'image-to-text' as const, images, captions },
      ]
    : [{ kind: 'reconstruction' as const, images }];
  for (let step = 0; step < warmupSteps; step++) await recaStep(state, { batches });
  const started = performance.now();
  for (let step = 0; step < measuredSteps; step++) await recaStep(state, { batches });
  const millisecondsPerStep = (performance.now() - started) / measuredSteps;
  state.dispose();
  model.dispose();
  images.dispose();
  return { configuration, millisecondsPerStep, imagesPerSecond: (batchSize * batches.length * 1000) / millisecondsPerStep };
}

const rows: Row[] = [];
for (const availability of await listAvailableBackends({ allowSoftwareAdapter })) {
  if (!availability.available) {
    console.log(`skip ${availability.backend}: ${availability.reason}`);
    continue;
  }
  const active = await useBackend(availability.backend, { allowSoftwareAdapter });
  for (const [configuration, trainable, imageToText] of [
    ['reconstruction only (frozen understanding)', false, false],
    ['reconstruction + I2T (shared, grad ×0.1)', true, true],
  ] as const) {
    rows.push({ backend: active.backend, device: active.device, ...(await benchmark(configuration, trainable, imageToText)) });
  }
  tf.disposeVariables();
}

console.log(`\nrecaStep of MockUnifiedModel (8×8 images, batch ${batchSize} per micro-batch, ${measuredSteps} steps after ${warmupSteps} warm-up)`);
console.log(`${'backend'.padEnd(10)}${'configuration'.padEnd(46)}${'ms/step'.padStart(10)}${'images/s'.padStart(10)}  device`);
for (const row of rows) {
  console.log(
    `${row.backend.padEnd(10)}${row.configuration.padEnd(46)}${row.millisecondsPerStep.toFixed(2).padStart(10)}${row.imagesPerSecond.toFixed(0).padStart(10)}  ${row.device}`,
  );
}
process.exit(0);
