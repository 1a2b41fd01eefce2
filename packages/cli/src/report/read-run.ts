import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CliInputError } from '../cli-input-error.js';
import type { RunSummary } from '../training/finish-run.js';
import { runDirectory } from '../training/run-directory.js';
import type { TrainingLogLine } from '../training/run-training.js';

/** A finished or partial training run read back from its folder. */
export interface RunRecord {
  /** The folder's name. */
  readonly name: string;
  readonly root: string;
  /** `summary.json`, when the run finished. */
  readonly summary: RunSummary | undefined;
  /** `log.jsonl`: one line per step. */
  readonly log: readonly TrainingLogLine[];
  /** `eval.json` (an evaluation summary a recipe stored beside the run), when present. */
  readonly evaluation: Record<string, number> | undefined;
}

/**
 * Reads a run folder written by `reca pretrain` / `reca posttrain`.
 * @throws CliInputError when the folder has no `log.jsonl`.
 */
export async function readRun(root: string): Promise<RunRecord> {
  const run = runDirectory(root);
  if (!existsSync(run.log)) {
    throw new CliInputError({ message: `--runs: ${root} is not a run folder (no log.jsonl)`, hint: 'pass folders given as --out to reca pretrain / reca posttrain' });
  }
  const log = (await readFile(run.log, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TrainingLogLine);
  const summary = existsSync(run.summary) ? (JSON.parse(await readFile(run.summary, 'utf8')) as RunSummary) : undefined;
  const evaluationPath = `${root}/eval.json`;
  const evaluation = existsSync(evaluationPath) ? (JSON.parse(await readFile(evaluationPath, 'utf8')) as Record<string, number>) : undefined;
  return { name: basename(root), root, summary, log, evaluation };
}
