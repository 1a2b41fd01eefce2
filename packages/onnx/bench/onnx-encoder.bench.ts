/**
 * Benchmark: understanding embeddings per second of the same ViT encoder in tfjs (every available backend) and in
 * ONNX Runtime (CPU provider; WebGPU/CUDA when asked for), after exporting it with `exportVisionTransformerToOnnx`.
 * Also prints the relative difference of each engine's embeddings against the tfjs `cpu` backend.
 *
 * Run: `pnpm --filter @reca/onnx bench`.
 * Options (environment): RECA_BENCH_PRESETS (default 'tiny,small'; 'base' is ViT-B/16), RECA_BENCH_BATCH (default 32),
 * RECA_BENCH_SECONDS (measured time per row, default 2), RECA_BENCH_ONNX_PROVIDERS (default 'cpu'; e.g. 'cpu,webgpu'),
 * RECA_BENCH_BACKENDS (tfjs backends to measure, default: every available one), RECA_BENCH_SOFTWARE_ADAPTER=1 to
 * include a software WebGPU adapter (lavapipe) for tfjs.
 */
import { type BackendName, listAvailableBackends, SeededRandom, tf, useBackend } from '@reca/runtime';
import { type UnderstandingPresetName, VisionTransformerEncoder, visionTransformerPresets } from '@reca/understanding';
import { exportVisionTransformerToOnnx, type OnnxExecutionProvider, OnnxUnderstandingEncoder } from '../src/index.js';

const presets = (process.env.RECA_BENCH_PRESETS ?? 'tiny,small').split(',') as UnderstandingPresetName[];
const batchSize = Number(process.env.RECA_BENCH_BATCH ?? 32);
const measuredSeconds = Number(process.env.RECA_BENCH_SECONDS ?? 2);
const onnxProviders = (process.env.RECA_BENCH_ONNX_PROVIDERS ?? 'cpu').split(',') as OnnxExecutionProvider[];
const allowSoftwareAdapter = process.env.RECA_BENCH_SOFTWARE_ADAPTER === '1';
const selectedBackends = process.env.RECA_BENCH_BACKENDS?.split(',');
const warmupRuns = 2;

interface Row {
  preset: string;
  engine: string;
  device: string;
  millisecondsPerBatch: number;
  embeddingsPerSecond: number;
  relativeDifference: number;
}

/** Runs `encode` for warm-up, then for about `measuredSeconds`; returns the mean milliseconds per batch. */
async function measure(encode: () => Promise<void>): Promise<number> {
  for (let run = 0; run < warmupRuns; run++) await encode();
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < measuredSeconds * 1000 || runs < 3) {
    await encode();
    runs += 1;
  }
  return (performance.now() - started) / runs;
}

function relativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let reference = 0;
  for (let index = 0; index < expected.length; index++) {
    difference = Math.max(difference, Math.abs((actual[index] as number) - (expected[index] as number)));
    reference = Math.max(reference, Math.abs(expected[index] as number));
  }
  return difference / reference;
}

/** The encoder of a preset with seeded weights (the same on every backend). */
function createEncoder(preset: UnderstandingPresetName): VisionTransformerEncoder {
  return new VisionTransformerEncoder(visionTransformerPresets[preset], new SeededRandom(`bench-${preset}`));
}

const rows: Row[] = [];
const availableBackends: BackendName[] = [];
for (const availability of await listAvailableBackends({ allowSoftwareAdapter })) {
  if (selectedBackends && !selectedBackends.includes(availability.backend)) continue;
  if (availability.available) availableBackends.push(availability.backend);
  else console.log(`skip tfjs ${availability.backend}: ${availability.reason}`);
}

for (const preset of presets) {
  const size = visionTransformerPresets[preset].imageSize;
  const pixels = new SeededRandom(`bench-images-${preset}`).uniformArray(batchSize * size * size * 3);
  let reference: Float32Array | undefined;
  let exportedBytes: Uint8Array | undefined;
  let exportedOptions: ReturnType<typeof exportVisionTransformerToOnnx>['encoderOptions'] | undefined;
  // tfjs on every backend (cpu first, when available, gives the reference embeddings).
  for (const backend of [...availableBackends].sort((first) => (first === 'cpu' ? -1 : 0))) {
    const active = await useBackend(backend, { allowSoftwareAdapter });
    const encoder = createEncoder(preset);
    const images = tf.tensor4d(pixels, [batchSize, size, size, 3]);
    const output = encoder.forward(images);
    const values = (await output.data()) as Float32Array;
    output.dispose();
    reference ??= values;
    if (!exportedBytes) {
      const exported = exportVisionTransformerToOnnx(encoder);
      exportedBytes = exported.bytes;
      exportedOptions = exported.encoderOptions;
    }
    const millisecondsPerBatch = await measure(async () => {
      const embeddings = encoder.forward(images);
      await embeddings.data(); // waits for the device
      embeddings.dispose();
    });
    rows.push({
      preset,
      engine: `tfjs ${backend}`,
      device: active.device,
      millisecondsPerBatch,
      embeddingsPerSecond: (batchSize * 1000) / millisecondsPerBatch,
      relativeDifference: relativeDifference(values, reference),
    });
    images.dispose();
    encoder.dispose();
  }
  // ONNX Runtime on the exported encoder.
  if (!exportedBytes || !exportedOptions || !reference) continue;
  await useBackend(availableBackends.includes('cpu') ? 'cpu' : (availableBackends[0] as BackendName));
  const images = tf.tensor4d(pixels, [batchSize, size, size, 3]);
  for (const executionProvider of onnxProviders) {
    let encoder: OnnxUnderstandingEncoder;
    try {
      encoder = await OnnxUnderstandingEncoder.create({ model: exportedBytes, ...exportedOptions, executionProvider, maxBatchSize: batchSize });
    } catch (error) {
      console.log(`skip ONNX Runtime ${executionProvider}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const first = await encoder.encodeToHost(images);
    const millisecondsPerBatch = await measure(async () => {
      await encoder.encodeToHost(images);
    });
    rows.push({
      preset,
      engine: `onnxruntime ${executionProvider}`,
      device: executionProvider === 'cpu' ? 'CPU execution provider' : `${executionProvider} execution provider`,
      millisecondsPerBatch,
      embeddingsPerSecond: (batchSize * 1000) / millisecondsPerBatch,
      relativeDifference: relativeDifference(first.values, reference),
    });
    await encoder.dispose();
  }
  images.dispose();
}

console.log(`\nViT encoder embeddings per second (batch ${batchSize}, ${warmupRuns} warm-up runs, ~${measuredSeconds} s measured per row)`);
console.log(`${'preset'.padEnd(8)}${'engine'.padEnd(22)}${'ms/batch'.padStart(11)}${'embeddings/s'.padStart(14)}${'rel. diff'.padStart(11)}  device`);
for (const row of rows) {
  console.log(
    `${row.preset.padEnd(8)}${row.engine.padEnd(22)}${row.millisecondsPerBatch.toFixed(2).padStart(11)}${(row.embeddingsPerSecond >= 100 ? row.embeddingsPerSecond.toFixed(0) : row.embeddingsPerSecond.toPrecision(3)).padStart(14)}${row.relativeDifference.toExponential(1).padStart(11)}  ${row.device}`,
  );
}
process.exit(0);
