import { writeFile } from 'node:fs/promises';
import { saveModelCheckpoint } from '@reca/core';
import type { RegisteredModel } from '../models/model-registry.js';
import type { RunDirectory } from './run-directory.js';
import type { TrainingLogLine } from './run-training.js';
import type { TrainingPlan } from './training-plan.js';

/** What `summary.json` of a finished run holds and the model checkpoint's `extra.produced_by` repeats. */
export interface RunSummary {
  readonly stage: 'pretrain' | 'posttrain';
  readonly arm: TrainingPlan['arm'];
  readonly family: string;
  readonly modelId: string;
  readonly parameters: number;
  readonly steps: number;
  readonly seed: number;
  readonly backend: string;
  readonly device: string;
  /** Wall seconds of the whole command (the last process's, for a resumed run). */
  readonly wallSeconds: number;
  /** Wall seconds of the training steps (the last process's). */
  readonly trainingSeconds: number;
  readonly command: string;
  readonly gitCommit: string;
  readonly finalLosses: TrainingLogLine['losses'] | undefined;
  /** The checkpoint the run started from (posttrain). */
  readonly startCheckpoint?: string;
  readonly imageCodec?: { description: string; finalLoss: number } | undefined;
}

/** Number of values of every weight of `model` (trainable or not). */
export function parameterCountOf(model: RegisteredModel): number {
  return Object.values(model.namedWeights()).reduce((sum, tensor) => sum + tensor.size, 0);
}

/**
 * Saves the finished model (`RUN/model.safetensors`, with `extra.produced_by` = the summary and `extra.training` =
 * the plan, which a later control arm replicates) and writes `RUN/summary.json`.
 */
export async function finishRun(run: RunDirectory, model: RegisteredModel, plan: TrainingPlan, summary: RunSummary): Promise<void> {
  await saveModelCheckpoint(run.model, model, {
    produced_by: JSON.stringify(summary),
    training: JSON.stringify({ stage: plan.stage, arm: plan.arm, mix: plan.mix, recaConfig: plan.recaConfig }),
  });
  await writeFile(run.summary, `${JSON.stringify(summary, null, 2)}\n`);
}
