/**
 * The README's main job: RecA post-training of a tiny unified model on built-in data, with an equal-steps control
 * arm and two seeds. See README.md in this folder for what it shows and what it does not.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createRecaTrainingState,
  loadRecaCheckpoint,
  recaStep,
  saveRecaCheckpoint,
  type RecaConfigInput,
  type RecaMicroBatch,
  type RecaTrainingState,
} from '@reca/core';
import { MockUnifiedModel } from '@reca/core/test';
import { formatBackendReport, initializeRuntime, isBackendName, SeededRandom, tf } from '@reca/runtime';
import { makeScenes, sceneWords, type SceneBatch } from './built-in-scenes.js';
import { evaluateModel, type DemoEvaluation } from './evaluate-model.js';

const { values: flags } = parseArgs({
  options: {
    'pretrain-steps': { type: 'string', default: '1000' },
    'posttrain-steps': { type: 'string', default: '500' },
    'batch-size': { type: 'string', default: '16' },
    seeds: { type: 'string', default: '0,1,2' },
    backend: { type: 'string' },
    out: { type: 'string', default: 'runs/reca-demo' },
  },
});

function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`reca-demo: --${name} must be a non-negative integer, got '${text}'`);
    process.exit(2);
  }
  return value;
}

const pretrainSteps = positiveInteger('pretrain-steps', flags['pretrain-steps']);
const posttrainSteps = positiveInteger('posttrain-steps', flags['posttrain-steps']);
const batchSize = positiveInteger('batch-size', flags['batch-size']);
const seeds = (flags.seeds ?? '0').split(',').map((seed) => positiveInteger('seeds', seed));
if (flags.backend !== undefined && !isBackendName(flags.backend)) {
  console.error(`reca-demo: --backend must be one of torch, tensorflow, webgpu, wasm, cpu; got '${flags.backend}'`);
  process.exit(2);
}
const outputFolder = flags.out ?? 'runs/reca-demo';

// The mock model is tiny (≈5k parameters), so the paper's lr 1e-5 would need ~10⁵ steps; everything else is the
// paper's default (betas 0.9/0.95, weight decay 0.02, clip 1.0, warmup then cosine).
const learningRate = 3e-3;
const pretrainConfig: RecaConfigInput = {
  optimizer: { learningRate },
  schedule: { type: 'cosine', totalSteps: Math.max(1, pretrainSteps), warmupSteps: Math.round(pretrainSteps * 0.05) },
  lossWeights: { reconstruction: 0, imageToText: 1, textToImage: 1 },
  conditionDropout: { type: 'drop-text', probability: 0.1 },
};
const posttrainSchedule = { type: 'cosine' as const, totalSteps: Math.max(1, posttrainSteps), warmupSteps: Math.round(posttrainSteps * 0.01) };
/** RecA arm: reconstruction mixed 1:1 with I2T (a shared-weight model), T2I weight 0 (the paper's defaults). */
const recaConfig: RecaConfigInput = { optimizer: { learningRate }, schedule: posttrainSchedule };
/** Control arm: the same number of extra steps of ordinary (pretraining-mix) training. */
const controlConfig: RecaConfigInput = { ...pretrainConfig, schedule: posttrainSchedule };

function sampleBatch(data: SceneBatch, random: SeededRandom): { images: tf.Tensor4D; captions: string[] } {
  const indices = Array.from({ length: batchSize }, () => random.integer(data.captions.length));
  return {
    images: tf.tidy(() => tf.gather(data.images, tf.tensor1d(indices, 'int32')) as tf.Tensor4D),
    captions: indices.map((index) => data.captions[index] as string),
  };
}

async function train(
  label: string,
  state: RecaTrainingState,
  data: SceneBatch,
  steps: number,
  kinds: ReadonlyArray<RecaMicroBatch['kind']>,
  seed: number,
): Promise<number> {
  const random = new SeededRandom(`${label}:${seed}`);
  const started = performance.now();
  for (let step = 1; step <= steps; step++) {
    const batches = kinds.map((kind): RecaMicroBatch => {
      const { images, captions } = sampleBatch(data, random);
      if (kind === 'reconstruction') return { kind, images };
      if (kind === 'text-to-image') return { kind, images, prompts: captions };
      return { kind, images, captions };
    });
    const result = await recaStep(state, { batches });
    tf.dispose(batches.map((batch) => batch.images));
    if (step % 50 === 0 || step === steps) {
      const parts = Object.entries(result.losses)
        .map(([part, value]) => `${part} ${value.toFixed(4)}`)
        .join('  ');
      const elapsed = (performance.now() - started) / 1000;
      console.log(`  [${label} seed ${seed}] step ${String(step).padStart(4)}/${steps}  ${parts}  grad-norm ${result.gradientNorm.toFixed(3)}  ${(step / elapsed).toFixed(1)} step/s`);
    }
  }
  return (performance.now() - started) / 1000;
}

function copyModel(source: MockUnifiedModel, seed: number): MockUnifiedModel {
  const copy = new MockUnifiedModel({ seed, extraWords: [...source.config.extraWords] });
  copy.loadNamedWeights(source.namedWeights());
  return copy;
}

const started = performance.now();
const report = await initializeRuntime(flags.backend ? { backend: flags.backend } : {});
console.log(formatBackendReport(report));
console.log(`\nRecA demo: MockUnifiedModel on built-in two-quadrant scenes (8×8); ${pretrainSteps} pretraining steps, then ${posttrainSteps} steps of RecA vs ${posttrainSteps} steps of ordinary training; seeds ${seeds.join(', ')}.\n`);
await mkdir(outputFolder, { recursive: true });

const rows: Array<{ seed: number; arm: string; evaluation: DemoEvaluation }> = [];
let resumeExact = true;
for (const seed of seeds) {
  const trainData = makeScenes(512, 8, 1000 + seed);
  const heldOut = makeScenes(128, 8, 2000 + seed);
  const extraWords = [...new MockUnifiedModel().config.extraWords, ...sceneWords];

  const before = new MockUnifiedModel({ seed, extraWords });
  const pretrainState = createRecaTrainingState({ model: before, config: pretrainConfig, seed });
  console.log(`seed ${seed}: pretraining (I2T on dense captions + T2I on dense captions, 10 % text dropout)`);
  await train('pretrain', pretrainState, trainData, pretrainSteps, ['image-to-text', 'text-to-image'], seed);
  pretrainState.dispose();
  rows.push({ seed, arm: 'before', evaluation: await evaluateModel(before, heldOut.images, heldOut.captions) });

  const recaModel = copyModel(before, seed);
  const recaState = createRecaTrainingState({ model: recaModel, config: recaConfig, seed });
  console.log(`seed ${seed}: RecA post-training (reconstruction from own understanding embeddings, mixed 1:1 with I2T)`);
  await train('reca', recaState, trainData, posttrainSteps, ['reconstruction', 'image-to-text'], seed);
  rows.push({ seed, arm: 'RecA', evaluation: await evaluateModel(recaModel, heldOut.images, heldOut.captions) });

  const controlModel = copyModel(before, seed);
  const controlState = createRecaTrainingState({ model: controlModel, config: controlConfig, seed });
  console.log(`seed ${seed}: control (the same number of steps of ordinary I2T + T2I training)`);
  await train('control', controlState, trainData, posttrainSteps, ['image-to-text', 'text-to-image'], seed);
  rows.push({ seed, arm: 'control', evaluation: await evaluateModel(controlModel, heldOut.images, heldOut.captions) });

  // Checkpoint the RecA arm, resume into a fresh model, and check that 3 more steps match exactly.
  const checkpointPath = join(outputFolder, `reca-seed${seed}.safetensors`);
  await saveRecaCheckpoint(checkpointPath, recaState);
  const resumedModel = new MockUnifiedModel({ seed: seed + 100, extraWords });
  const resumedState = createRecaTrainingState({ model: resumedModel, config: recaConfig, seed: seed + 100 });
  await loadRecaCheckpoint(checkpointPath, resumedState);
  const probe = makeScenes(batchSize, 8, 3000 + seed);
  for (let step = 0; step < 3; step++) {
    const batches = [{ kind: 'reconstruction' as const, images: probe.images }];
    const [original, resumed] = [await recaStep(recaState, { batches }), await recaStep(resumedState, { batches })];
    if (original.loss !== resumed.loss) resumeExact = false;
  }
  for (const disposable of [recaState, resumedState, before, recaModel, controlModel, resumedModel]) disposable.dispose();
  tf.dispose([trainData.images, heldOut.images, probe.images]);
}

const format = (value: number) => value.toFixed(4).padStart(10);
console.log('\nHeld-out results (lower is better):');
console.log(`${'seed'.padEnd(6)}${'arm'.padEnd(9)}${'recon MSE'.padStart(10)}${'T2I MSE'.padStart(10)}${'I2T loss'.padStart(10)}`);
for (const { seed, arm, evaluation } of rows) {
  console.log(`${String(seed).padEnd(6)}${arm.padEnd(9)}${format(evaluation.reconstructionError)}${format(evaluation.textToImageError)}${format(evaluation.understandingLoss)}`);
}
for (const arm of ['before', 'RecA', 'control']) {
  const armRows = rows.filter((row) => row.arm === arm);
  const mean = (pick: (evaluation: DemoEvaluation) => number) => armRows.reduce((sum, row) => sum + pick(row.evaluation), 0) / armRows.length;
  console.log(`${'mean'.padEnd(6)}${arm.padEnd(9)}${format(mean((e) => e.reconstructionError))}${format(mean((e) => e.textToImageError))}${format(mean((e) => e.understandingLoss))}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(`\ncheckpoint resume exact: ${resumeExact ? 'yes' : 'NO'}; backend ${report.backend}; wall time ${seconds.toFixed(1)} s; results in ${outputFolder}/results.json`);
console.log('Note: the mock model is a test double — these numbers show the machinery, not RecA on a real architecture.');
await writeFile(
  join(outputFolder, 'results.json'),
  `${JSON.stringify({ backend: report.backend, device: report.device, pretrainSteps, posttrainSteps, batchSize, seeds, rows, resumeExact, seconds }, null, 2)}\n`,
);
if (!resumeExact) process.exitCode = 1;
