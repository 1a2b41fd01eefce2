import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import {
  createRecaTrainingState,
  FixedBatchMultiSourceSampler,
  type FixedBatchMultiSourceSamplerState,
  loadRecaCheckpoint,
  type RecaMicroBatch,
  recaStep,
  type RecaTrainingState,
  saveRecaCheckpoint,
} from '@reca/core';
import { InvalidArgumentError, SeededRandom, tf } from '@reca/runtime';
import type { CliContext } from '../cli-context.js';
import { CliInputError } from '../cli-input-error.js';
import type { ShapesTrainingData } from '../data/built-in-shapes-data.js';
import type { RegisteredModel } from '../models/model-registry.js';
import { createProgressReporter } from './progress-reporter.js';
import type { RunDirectory } from './run-directory.js';
import type { TrainingMix, TrainingPlan } from './training-plan.js';

/** One line of `log.jsonl`. */
export interface TrainingLogLine {
  step: number;
  loss: number;
  losses: Partial<Record<RecaMicroBatch['kind'], number>>;
  gradientNorm: number;
  learningRate: number;
  /** Wall seconds of the step. */
  seconds: number;
}

/** Options of {@link runTraining}. */
export interface RunTrainingOptions {
  model: RegisteredModel;
  plan: TrainingPlan;
  data: ShapesTrainingData;
  run: RunDirectory;
  /** Total optimizer steps of the run. */
  steps: number;
  batchSize: number;
  seed: number;
  checkpointEvery: number;
  logEvery: number;
  /** Continue from `run.latestCheckpoint` (weights, optimizer, step, random streams and the batch sampler). */
  resume: boolean;
  /** Stop (with a checkpoint) once this step is done, as if interrupted; a later `--resume` continues. */
  stopAtStep: number | undefined;
  context: CliContext;
  /** Label of the progress bar. */
  label: string;
}

/** How {@link runTraining} ended. */
export interface RunTrainingResult {
  /** `completed` all steps; `interrupted` by Ctrl-C (SIGINT); `stopped` at `stopAtStep`. Each wrote a checkpoint. */
  readonly status: 'completed' | 'interrupted' | 'stopped';
  /** The last step done. */
  readonly step: number;
  /** Wall seconds of the steps of this process. */
  readonly seconds: number;
  /** The last step's losses. */
  readonly lastLine: TrainingLogLine | undefined;
}

const sources: ReadonlyArray<keyof TrainingMix> = ['reconstruction', 'imageToText', 'textToImage', 'alignment'];

function createState(model: RegisteredModel, plan: TrainingPlan, seed: number): RecaTrainingState {
  try {
    return createRecaTrainingState({ model, config: plan.recaConfig, seed });
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) {
      throw new CliInputError({
        message: `bad recaStep settings: ${error.message.replace(/'config\./g, "'reca.")}`,
        hint: 'fix the reca: section of the configuration (it is @reca/core\'s RecaConfigInput)',
        cause: error,
      });
    }
    throw error;
  }
}

function microBatch(source: keyof TrainingMix, indices: readonly number[], data: ShapesTrainingData): RecaMicroBatch {
  const images = data.gather(indices);
  switch (source) {
    case 'reconstruction':
      return { kind: 'reconstruction', images };
    case 'imageToText':
      return { kind: 'image-to-text', images, captions: indices.map((index) => data.dense[index] as string) };
    case 'textToImage':
      return { kind: 'text-to-image', images, prompts: indices.map((index) => data.sparse[index] as string) };
    case 'alignment':
      return { kind: 'alignment', images, captions: indices.map((index) => data.dense[index] as string) };
  }
}

async function saveCheckpoint(run: RunDirectory, state: RecaTrainingState, sampler: FixedBatchMultiSourceSampler<number>): Promise<void> {
  await mkdir(run.checkpoints, { recursive: true });
  await saveRecaCheckpoint(run.latestCheckpoint, state, { extra: { sampler: JSON.stringify(sampler.getState()) } });
}

/** Keeps the log lines of steps ≤ `step` (a resumed run rewrites what came after its checkpoint). */
async function truncateLog(path: string, step: number): Promise<void> {
  if (!existsSync(path)) return;
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((line) => (JSON.parse(line) as TrainingLogLine).step <= step);
  await writeFile(path, kept.map((line) => `${line}\n`).join(''));
}

/**
 * Trains `model` with recaStep for the plan's mix: each optimizer step is one cycle of the fixed-batch multi-source
 * sampler (e.g. `[image-to-text, text-to-image, alignment]` in pretraining, `[reconstruction, image-to-text]` in RecA).
 * Appends one line per step to `log.jsonl`, shows progress, saves a training checkpoint every `checkpointEvery`
 * steps, at the end, at `stopAtStep` and on Ctrl-C (SIGINT: the step in flight finishes first). With `resume`, the
 * checkpoint's weights, AdamW state, step, random stream and sampler position are restored, so the run continues
 * exactly as if it had never stopped (same backend).
 */
export async function runTraining(options: RunTrainingOptions): Promise<RunTrainingResult> {
  const { model, plan, data, run, steps, batchSize, seed, checkpointEvery, logEvery, context, label } = options;
  model.stack.setMode(plan.understandingMode);
  const state = createState(model, plan, seed);
  const indices = Array.from({ length: data.count }, (_, index) => index);
  const repeat = Object.fromEntries(sources.map((source) => [source, plan.mix[source]]));
  if (sources.every((source) => plan.mix[source] === 0)) {
    throw new CliInputError({ message: 'the mix has no micro-batch (every source is 0)', hint: 'set at least one of mix.reconstruction, mix.imageToText, mix.textToImage, mix.alignment' });
  }
  const sampler = new FixedBatchMultiSourceSampler<number>({
    sources: Object.fromEntries(sources.map((source) => [source, indices])),
    repeat,
    batchSize,
    random: new SeededRandom(seed).fork('batches'),
  });
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  try {
    if (options.resume) {
      const { extra } = await loadRecaCheckpoint(run.latestCheckpoint, state);
      if (extra.sampler === undefined) {
        throw new CliInputError({ message: `${run.latestCheckpoint} holds no sampler state`, hint: 'it was not written by reca pretrain/posttrain; start a new run' });
      }
      sampler.setState(JSON.parse(extra.sampler) as FixedBatchMultiSourceSamplerState);
      await truncateLog(run.log, state.step);
      context.stdout(`${label}: resumed at step ${state.step} of ${steps} from ${run.latestCheckpoint}`);
    } else {
      await writeFile(run.log, '');
    }
    process.on('SIGINT', onInterrupt);
    const firstStep = state.step + 1;
    const progress = createProgressReporter(context, { label, total: steps, firstStep, lineEvery: logEvery });
    const started = performance.now();
    let lastLine: TrainingLogLine | undefined;
    let status: RunTrainingResult['status'] = 'completed';
    try {
      while (state.step < steps) {
        const batches = sampler.cycle.map(() => {
          const batch = sampler.next();
          return microBatch(batch.source as keyof TrainingMix, batch.indices, data);
        });
        let result;
        try {
          result = await recaStep(state, { batches });
        } finally {
          tf.dispose(batches.map((batch) => batch.images));
        }
        lastLine = {
          step: result.step,
          loss: result.loss,
          losses: { ...result.losses },
          gradientNorm: result.gradientNorm,
          learningRate: result.learningRate,
          seconds: result.durationMs / 1000,
        };
        await appendFile(run.log, `${JSON.stringify(lastLine)}\n`);
        const parts = Object.entries(result.losses)
          .map(([part, value]) => `${part} ${value.toFixed(4)}`)
          .join(', ');
        progress.update(result.step, `loss ${result.loss.toFixed(4)} (${parts})`);
        const stopHere = options.stopAtStep !== undefined && state.step >= options.stopAtStep && state.step < steps;
        if (interrupted || stopHere) {
          status = interrupted ? 'interrupted' : 'stopped';
          break;
        }
        if (state.step % checkpointEvery === 0 && state.step < steps) await saveCheckpoint(run, state, sampler);
      }
    } finally {
      progress.stop();
    }
    await saveCheckpoint(run, state, sampler);
    return { status, step: state.step, seconds: (performance.now() - started) / 1000, lastLine };
  } finally {
    process.off('SIGINT', onInterrupt);
    state.dispose();
  }
}
