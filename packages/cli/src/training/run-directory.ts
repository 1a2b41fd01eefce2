import { join } from 'node:path';

/**
 * The files of a training run folder (`--out RUN`):
 * - `config.json` — the resolved configuration and plan (what `--resume` reads back);
 * - `log.jsonl` — one line per optimizer step (step, loss parts, grad norm, lr, seconds);
 * - `initial-model.safetensors` — pretrain: the model right before the generator's training (image codec trained);
 * - `checkpoints/latest.safetensors` — the last RecA training checkpoint (weights, AdamW, step, random streams, sampler);
 * - `model.safetensors` — the finished model (what `reca sample` and `reca posttrain` read);
 * - `summary.json` — wall time, backend and final losses of the finished run.
 */
export interface RunDirectory {
  readonly root: string;
  readonly config: string;
  readonly log: string;
  readonly initialModel: string;
  readonly checkpoints: string;
  readonly latestCheckpoint: string;
  readonly model: string;
  readonly summary: string;
}

/** The paths of run folder `root`. */
export function runDirectory(root: string): RunDirectory {
  return {
    root,
    config: join(root, 'config.json'),
    log: join(root, 'log.jsonl'),
    initialModel: join(root, 'initial-model.safetensors'),
    checkpoints: join(root, 'checkpoints'),
    latestCheckpoint: join(root, 'checkpoints', 'latest.safetensors'),
    model: join(root, 'model.safetensors'),
    summary: join(root, 'summary.json'),
  };
}
