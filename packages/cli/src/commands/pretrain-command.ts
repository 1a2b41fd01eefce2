import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { saveModelCheckpoint } from '@reca/core';
import { SeededRandom } from '@reca/runtime';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { CliInputError } from '../cli-input-error.js';
import { builtInShapesData } from '../data/built-in-shapes-data.js';
import { choiceFlag, integerFlag, numberFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';
import { modelFamilies, type ModelFamily } from '../models/model-family.js';
import { type ImageCodecReport, modelRegistry, type RegisteredModel } from '../models/model-registry.js';
import { startRuntime } from '../runtime/start-runtime.js';
import { finishRun, parameterCountOf } from '../training/finish-run.js';
import { commandLineOf, gitCommitOf } from '../training/produced-by.js';
import { openRunConfig } from '../training/open-run-config.js';
import { runDirectory } from '../training/run-directory.js';
import { runTraining } from '../training/run-training.js';
import { trainingFlagShape, trainingFlagUsage } from '../training/training-flags.js';
import { pretrainingPlan } from '../training/training-plan.js';

const flagsSchema = z.object({
  ...trainingFlagShape,
  family: choiceFlag(modelFamilies as unknown as [ModelFamily, ...ModelFamily[]]).optional(),
  preset: z.string().min(1).optional(),
  imageCodecSteps: integerFlag({ minimum: 0 }).optional(),
  alignmentWeight: numberFlag({ minimum: 0 }).optional(),
});

/** `reca pretrain`: stage-1 training of a tiny UMM on built-in ShapesWorld data (the "before" model). */
export const pretrainCommand: CliCommand = {
  path: ['pretrain'],
  summary: 'pretrain a UMM on ShapesWorld: I2T on dense captions, T2I on sparse captions, + alignment',
  usage: [
    'reca pretrain --family diffusion|masked-autoregressive|autoregressive --out RUN [--preset tiny] [flags]',
    '',
    'Creates a model of the family, trains its image codec (VQ tokenizer / autoencoder) where it has one, then trains',
    'it the way unified models are trained: image-to-text on dense captions, text-to-image on sparse captions only',
    '(10 % null prompts for guidance), and the contrastive alignment term when the condition layout is the shared',
    'query bottleneck. Writes RUN/model.safetensors (the "before" model for reca posttrain).',
    '',
    '  --family NAME           model family (or family: in the config)',
    '  --preset NAME           size preset (default tiny)',
    '  --image-codec-steps N   steps of image-codec training before the generator (default 400)',
    '  --alignment-weight X    weight of the alignment term (reca.lossWeights.alignment; default 0.5 with the query bottleneck)',
    trainingFlagUsage,
    '',
    'Config file fields (JSON or YAML): family, preset, modelOverrides, seed, steps, batchSize, data {count, seed},',
    'mix {imageToText, textToImage, alignment, reconstruction} (micro-batches per step), understandingMode,',
    'imageCodec {steps, batchSize}, reca (recaStep settings: optimizer, schedule, lossWeights, conditionDropout, …),',
    'checkpointEvery, logEvery.',
  ].join('\n'),
  async run(argv, context) {
    const started = performance.now();
    const flags = parseCommandFlags('pretrain', argv, flagsSchema, ['resume']);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    const run = runDirectory(resolve(context.cwd, flags.out));
    const config = await openRunConfig({
      command: 'pretrain',
      run,
      resume: flags.resume,
      resumeNeeds: [run.initialModel, run.latestCheckpoint],
      flags,
      overrides: { family: flags.family, preset: flags.preset, 'imageCodec.steps': flags.imageCodecSteps, 'reca.lossWeights.alignment': flags.alignmentWeight },
      cwd: context.cwd,
      stderr: context.stderr,
    });
    if (config.family === undefined) {
      throw new CliInputError({ message: 'no model family given', hint: `pass --family (${modelFamilies.join(', ')}) or set family: in the config` });
    }
    const family = config.family as ModelFamily;
    const entry = modelRegistry[family];
    const steps = config.steps ?? 1000;
    const { report, summary: backendLine } = await startRuntime(flags.backend);
    context.stdout(backendLine);
    await mkdir(run.root, { recursive: true });
    const data = builtInShapesData({ count: config.data.count, seed: config.data.seed, ...(config.data.imageSize ? { imageSize: config.data.imageSize } : {}) });
    let model: RegisteredModel | undefined;
    try {
      let finalMode: 'shared' | 'frozen';
      let imageCodec: ImageCodecReport | undefined;
      if (flags.resume) {
        model = await entry.load(run.initialModel);
        finalMode = (JSON.parse(await readFile(run.config, 'utf8')) as { finalUnderstandingMode: 'shared' | 'frozen' }).finalUnderstandingMode;
      } else {
        try {
          model = entry.create({ preset: config.preset, seed: config.seed, overrides: config.modelOverrides });
        } catch (error) {
          throw new CliInputError({
            message: `cannot create a ${family} model from preset '${config.preset}': ${(error as Error).message}`,
            hint: `presets: ${entry.presets.join(', ')}; check modelOverrides`,
            cause: error,
          });
        }
        if (model.imageSize !== data.imageSize) {
          throw new CliInputError({ message: `the model generates ${model.imageSize} px images but data.imageSize is ${data.imageSize}`, hint: 'set data.imageSize to the model\'s resolution' });
        }
        finalMode = model.stack.mode;
        context.stdout(`pretrain: ${family} '${model.modelId}' (${parameterCountOf(model)} parameters), ${data.count} scenes, ${steps} steps`);
        if (config.imageCodec.steps > 0) {
          const codecStarted = performance.now();
          imageCodec = await entry.trainImageCodec(model, {
            images: data.images,
            steps: config.imageCodec.steps,
            batchSize: config.imageCodec.batchSize,
            random: new SeededRandom(config.seed).fork('image-codec'),
            onStep: (step, loss) => {
              if (step % config.logEvery === 0 || step === config.imageCodec.steps) context.stdout(`image codec step ${step}/${config.imageCodec.steps}  loss ${loss.toFixed(4)}`);
            },
          });
          if (imageCodec) context.stdout(`image codec: ${imageCodec.description}, final loss ${imageCodec.finalLoss.toFixed(4)} (${((performance.now() - codecStarted) / 1000).toFixed(1)} s)`);
        }
        await saveModelCheckpoint(run.initialModel, model);
      }
      const plan = pretrainingPlan(model, config, steps);
      const command = commandLineOf('pretrain', argv);
      if (!flags.resume) {
        await writeFile(run.config, `${JSON.stringify({ command, config, plan, finalUnderstandingMode: finalMode, imageCodec }, null, 2)}\n`);
      }
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
        label: 'pretrain',
      });
      if (result.status !== 'completed') {
        context.stdout(`pretrain: ${result.status} after step ${result.step}; checkpoint ${run.latestCheckpoint}; continue with: reca pretrain --out ${flags.out} --resume`);
        return result.status === 'interrupted' ? 130 : 0;
      }
      model.stack.setMode(finalMode);
      const savedConfig = JSON.parse(await readFile(run.config, 'utf8')) as { imageCodec?: ImageCodecReport };
      await finishRun(run, model, plan, {
        stage: 'pretrain',
        arm: 'pretrain',
        family,
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
        imageCodec: savedConfig.imageCodec,
      });
      context.stdout(`pretrain: done, ${steps} steps in ${result.seconds.toFixed(1)} s; model ${run.model}`);
      return 0;
    } finally {
      model?.dispose();
      data.dispose();
    }
  },
};
