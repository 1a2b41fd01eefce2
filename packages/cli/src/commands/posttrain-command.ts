import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RecaConfigInput } from '@reca/core';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { CliInputError } from '../cli-input-error.js';
import { builtInShapesData } from '../data/built-in-shapes-data.js';
import { choiceFlag, pathFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';
import { loadCheckpointModel } from '../models/load-checkpoint-model.js';
import { modelFamilies, type ModelFamily } from '../models/model-family.js';
import type { RegisteredModel } from '../models/model-registry.js';
import { startRuntime } from '../runtime/start-runtime.js';
import { finishRun, parameterCountOf } from '../training/finish-run.js';
import { commandLineOf, gitCommitOf } from '../training/produced-by.js';
import { openRunConfig } from '../training/open-run-config.js';
import { runDirectory } from '../training/run-directory.js';
import { runTraining } from '../training/run-training.js';
import { trainingFlagShape, trainingFlagUsage } from '../training/training-flags.js';
import { posttrainingPlan, type TrainingMix } from '../training/training-plan.js';

const flagsSchema = z.object({
  ...trainingFlagShape,
  checkpoint: pathFlag().optional(),
  arm: choiceFlag(['reca', 'control']).optional(),
  family: choiceFlag(modelFamilies as unknown as [ModelFamily, ...ModelFamily[]]).optional(),
});

/** `reca posttrain`: RecA post-training (or its equal-steps control) from a model checkpoint. */
export const posttrainCommand: CliCommand = {
  path: ['posttrain'],
  summary: 'RecA post-training from a model checkpoint (--arm control: the same steps of the pretraining mix)',
  usage: [
    'reca posttrain --checkpoint MODEL --out RUN [--arm reca|control] [flags]',
    '',
    'RecA arm (default): recaStep on built-in ShapesWorld images without captions — each image regenerated from the',
    "model's own understanding embeddings of its bottlenecked copy plus an instruction — mixed 1:1 with I2T when the",
    'understanding side is shared, reconstruction only when it is frozen; AdamW betas (0.9, 0.95), weight decay 0.02,',
    'clip 1, 1 % warmup, cosine, lr 1e-4 (the paper\'s settings scaled to a tiny model).',
    'Control arm: the same number of steps, same optimizer, of the pretraining mix recorded in the checkpoint.',
    'Writes RUN/model.safetensors (the "after" model).',
    '',
    '  --checkpoint MODEL      the model to start from (e.g. a pretrain RUN/model.safetensors)',
    '  --arm reca|control      what to train (default reca)',
    '  --family NAME           check that the checkpoint holds this family',
    trainingFlagUsage,
    '',
    'Config file fields as for reca pretrain (checkpoint and arm too); default steps 300.',
  ].join('\n'),
  async run(argv, context) {
    const started = performance.now();
    const flags = parseCommandFlags('posttrain', argv, flagsSchema, ['resume']);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    const run = runDirectory(resolve(context.cwd, flags.out));
    const config = await openRunConfig({
      command: 'posttrain',
      run,
      resume: flags.resume,
      resumeNeeds: [run.latestCheckpoint],
      flags,
      overrides: { checkpoint: flags.checkpoint === undefined ? undefined : resolve(context.cwd, flags.checkpoint), arm: flags.arm, family: flags.family },
      cwd: context.cwd,
      stderr: context.stderr,
    });
    if (config.checkpoint === undefined) {
      throw new CliInputError({ message: 'no checkpoint to post-train', hint: 'pass --checkpoint MODEL (e.g. a reca pretrain RUN/model.safetensors)' });
    }
    const checkpoint = resolve(context.cwd, config.checkpoint as string);
    const steps = config.steps ?? 300;
    const { report, summary: backendLine } = await startRuntime(flags.backend);
    context.stdout(backendLine);
    const { model, info } = await loadCheckpointModel(checkpoint, { flag: '--checkpoint', expectedFamily: config.family });
    let data: ReturnType<typeof builtInShapesData> | undefined;
    try {
      const savedMode = model.stack.mode;
      const recorded = info.extra.training === undefined ? undefined : (JSON.parse(info.extra.training) as { mix: TrainingMix; recaConfig: RecaConfigInput; stage: string });
      const plan = posttrainingPlan(model as RegisteredModel, config, steps, recorded?.stage === 'pretrain' ? recorded : undefined);
      await mkdir(run.root, { recursive: true });
      const command = commandLineOf('posttrain', argv);
      if (!flags.resume) await writeFile(run.config, `${JSON.stringify({ command, config: { ...config, checkpoint }, plan }, null, 2)}\n`);
      data = builtInShapesData({ count: config.data.count, seed: config.data.seed, imageSize: model.imageSize });
      context.stdout(
        `posttrain (${plan.arm}): ${info.family} '${model.modelId}' from ${checkpoint}; mix ${JSON.stringify(plan.mix)}, understanding ${plan.understandingMode}, ${steps} steps`,
      );
      const result = await runTraining({
        model,
        plan,
        data,
        run,
        steps,
        batchSize: config.batchSize,
        seed: config.seed,
        checkpointEvery: config.checkpointEvery,
        logEvery: config.logEvery,
        resume: flags.resume,
        stopAtStep: flags.stopAt,
        context,
        label: plan.arm === 'reca' ? 'posttrain (RecA)' : 'posttrain (control)',
      });
      if (result.status !== 'completed') {
        context.stdout(`posttrain: ${result.status} after step ${result.step}; checkpoint ${run.latestCheckpoint}; continue with: reca posttrain --out ${flags.out} --resume`);
        return result.status === 'interrupted' ? 130 : 0;
      }
      model.stack.setMode(savedMode);
      await finishRun(run, model, plan, {
        stage: 'posttrain',
        arm: plan.arm,
        family: info.family,
        modelId: model.modelId,
        parameters: parameterCountOf(model),
        steps,
        seed: config.seed,
        backend: report.backend,
        device: report.device,
        wallSeconds: (performance.now() - started) / 1000,
        trainingSeconds: result.seconds,
        command,
        gitCommit: gitCommitOf(context.cwd),
        finalLosses: result.lastLine?.losses,
        startCheckpoint: checkpoint,
      });
      context.stdout(`posttrain (${plan.arm}): done, ${steps} steps in ${result.seconds.toFixed(1)} s; model ${run.model}`);
      return 0;
    } finally {
      model.dispose();
      data?.dispose();
    }
  },
};
