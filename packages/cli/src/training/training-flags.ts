import { type BackendName, backendNames } from '@reca/runtime';
import { choiceFlag, integerFlag, numberFlag, pathFlag, switchFlag } from '../flags/flag-schemas.js';

/** Flags shared by `reca pretrain` and `reca posttrain`. */
export const trainingFlagShape = {
  out: pathFlag(),
  config: pathFlag().optional(),
  resume: switchFlag(),
  steps: integerFlag({ minimum: 1, maximum: 10_000_000 }).optional(),
  batchSize: integerFlag({ minimum: 2, maximum: 65_536 }).optional(),
  seed: integerFlag({ minimum: 0, maximum: 2 ** 32 - 1 }).optional(),
  learningRate: numberFlag({ minimum: 0 }).optional(),
  checkpointEvery: integerFlag({ minimum: 1 }).optional(),
  logEvery: integerFlag({ minimum: 1 }).optional(),
  dataCount: integerFlag({ minimum: 2, maximum: 10_000_000 }).optional(),
  dataSeed: integerFlag({ minimum: 0, maximum: 2 ** 32 - 1 }).optional(),
  stopAt: integerFlag({ minimum: 1 }).optional(),
  backend: choiceFlag(backendNames as [BackendName, ...BackendName[]]).optional(),
};

/** The usage lines of {@link trainingFlagShape}. */
export const trainingFlagUsage = [
  '  --out RUN               run folder: config.json, log.jsonl, checkpoints/, model.safetensors, summary.json',
  '  --config FILE           settings as JSON or YAML (see below); flags override them',
  '  --resume                continue the run in RUN exactly where its last checkpoint left it (uses RUN/config.json)',
  '  --steps N               optimizer steps',
  '  --batch-size N          images per micro-batch (default 16)',
  '  --seed S                seed of weights, batch order and recaStep draws (default 0)',
  '  --learning-rate X       AdamW peak learning rate (reca.optimizer.learningRate)',
  '  --checkpoint-every N    training checkpoint every N steps (default 100; also at the end and on Ctrl-C)',
  '  --log-every N           a progress line every N steps when not on a terminal (default 25)',
  '  --data-count N          built-in ShapesWorld scenes to train on (default 4000)',
  '  --data-seed S           their dataset seed (default 0)',
  '  --stop-at STEP          stop with a checkpoint after STEP (resume later with --resume)',
  '  --backend NAME          torch, tensorflow, webgpu, wasm or cpu (default: RECA_BACKEND, else the best available)',
].join('\n');

/** Dotted-path config overrides from the shared flags (undefined values are skipped). */
export function trainingFlagOverrides(flags: {
  steps?: number | undefined;
  batchSize?: number | undefined;
  seed?: number | undefined;
  learningRate?: number | undefined;
  checkpointEvery?: number | undefined;
  logEvery?: number | undefined;
  dataCount?: number | undefined;
  dataSeed?: number | undefined;
}): Record<string, unknown> {
  return {
    steps: flags.steps,
    batchSize: flags.batchSize,
    seed: flags.seed,
    'reca.optimizer.learningRate': flags.learningRate,
    checkpointEvery: flags.checkpointEvery,
    logEvery: flags.logEvery,
    'data.count': flags.dataCount,
    'data.seed': flags.dataSeed,
  };
}
