import { join, resolve } from 'node:path';
import { writePngRgb } from '@reca/data';
import { type BackendName, backendNames } from '@reca/runtime';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { CliUsageError } from '../cli-usage-error.js';
import { choiceFlag, integerFlag, numberFlag, pathFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';
import { loadCheckpointModel } from '../models/load-checkpoint-model.js';
import { startRuntime } from '../runtime/start-runtime.js';
import { generateImages } from '../sampling/generate-images.js';
import { readSamplePrompts } from '../sampling/read-sample-prompts.js';
import { createProgressReporter } from '../training/progress-reporter.js';

const flagsSchema = z.object({
  checkpoint: pathFlag(),
  prompts: pathFlag().optional(),
  out: pathFlag(),
  imagesPerPrompt: integerFlag({ minimum: 1, maximum: 10_000 }).optional(),
  seed: integerFlag({ minimum: 0, maximum: 2 ** 32 - 1 }).optional(),
  guidance: numberFlag({ minimum: 0 }).optional(),
  steps: integerFlag({ minimum: 1, maximum: 10_000 }).optional(),
  batchSize: integerFlag({ minimum: 1, maximum: 4096 }).optional(),
  unconditional: integerFlag({ minimum: 1, maximum: 100_000 }).optional(),
  backend: choiceFlag(backendNames as [BackendName, ...BackendName[]]).optional(),
});

/** `reca sample`: the sampling contract (DESIGN.md §4). */
export const sampleCommand: CliCommand = {
  path: ['sample'],
  summary: 'generate {id}_{k}.png for every prompt of a JSONL file from a model checkpoint',
  usage: [
    'reca sample --checkpoint MODEL --prompts FILE --out DIR [--images-per-prompt K] [--seed S] [--guidance G]',
    '            [--steps N] [--batch-size B] [--unconditional N] [--backend NAME]',
    '',
    'Reads {"id", "prompt"} lines and writes DIR/{id}_{k}.png (k = 0 … K−1) at the model\'s native resolution.',
    'Deterministic in (checkpoint, prompts, seed, batch size, backend).',
    '',
    '  --checkpoint MODEL       a model checkpoint (reca pretrain / posttrain RUN/model.safetensors)',
    '  --prompts FILE           prompts JSONL (reca shapes prompts); may be left out with --unconditional',
    '  --out DIR                output folder',
    '  --images-per-prompt K    images per prompt (default 4)',
    '  --seed S                 sampling seed (default 0)',
    '  --guidance G             classifier-free guidance scale against the null prompt (default 2; 1 = none)',
    '  --steps N                sampler steps (default: the model\'s)',
    '  --batch-size B           images per model call (default 32)',
    '  --unconditional N        also write N unconditional samples (null prompt) to DIR/unconditional/{k}.png',
  ].join('\n'),
  async run(argv, context) {
    const flags = parseCommandFlags('sample', argv, flagsSchema);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    if (flags.prompts === undefined && flags.unconditional === undefined) {
      throw new CliUsageError({ command: 'sample', message: 'missing required flag --prompts (or --unconditional N) (see reca sample --help)' });
    }
    const { summary } = await startRuntime(flags.backend);
    context.stdout(summary);
    const { model, info } = await loadCheckpointModel(resolve(context.cwd, flags.checkpoint), { flag: '--checkpoint' });
    try {
      const out = resolve(context.cwd, flags.out);
      const options = { guidanceScale: flags.guidance ?? 2, steps: flags.steps, seed: flags.seed ?? 0, batchSize: flags.batchSize ?? 32 };
      const started = performance.now();
      let written = 0;
      if (flags.prompts !== undefined) {
        const prompts = await readSamplePrompts(resolve(context.cwd, flags.prompts), model.tokenizer);
        const perPrompt = flags.imagesPerPrompt ?? 4;
        const jobs = prompts.flatMap((prompt) => Array.from({ length: perPrompt }, (_, k) => ({ file: `${prompt.id}_${k}.png`, text: prompt.prompt })));
        const progress = createProgressReporter(context, { label: 'sample', total: jobs.length, lineEvery: Math.max(1, options.batchSize * 4) });
        const images = await generateImages(model, jobs.map((job) => job.text), { ...options, onBatch: (done) => progress.update(done, `${info.family}`) });
        progress.stop();
        for (const [index, job] of jobs.entries()) {
          const image = images[index];
          if (image) await writePngRgb(join(out, job.file), image.data, image.width, image.height);
        }
        written += jobs.length;
      }
      if (flags.unconditional !== undefined) {
        const images = await generateImages(model, new Array<string>(flags.unconditional).fill(''), { ...options, guidanceScale: 1, seed: options.seed + 1 });
        for (const [index, image] of images.entries()) await writePngRgb(join(out, 'unconditional', `${index}.png`), image.data, image.width, image.height);
        written += images.length;
      }
      context.stdout(`wrote ${written} images (${model.imageSize}×${model.imageSize}) to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    } finally {
      model.dispose();
    }
  },
};
