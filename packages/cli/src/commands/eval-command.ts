import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MissingFileError, readImageRgb } from '@reca/data';
import {
  evaluateImages,
  evaluateUnconditionalImages,
  evaluationSummaryJson,
  findPromptImageFiles,
  formatEvaluationTable,
  loadPromptImages,
  readPromptsFile,
} from '@reca/shapes-world';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { pathFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';

const flagsSchema = z.object({
  prompts: pathFlag(),
  images: pathFlag(),
  unconditional: pathFlag().optional(),
  details: pathFlag().optional(),
  summary: pathFlag().optional(),
});

/** `reca eval`: mini-GenEval on ShapesWorld with prompt specificity (DESIGN.md §4–5). */
export const evalCommand: CliCommand = {
  path: ['eval'],
  summary: 'score {id}_{k}.png images against a prompts file (mini-GenEval + prompt specificity)',
  usage: [
    'reca eval --prompts FILE --images DIR [--unconditional DIR] [--details FILE] [--summary FILE]',
    '',
    'Scores DIR/{id}_{k}.png for every prompt of FILE (every prompt needs at least {id}_0.png), prints a table and,',
    'as the last line, the JSON summary {"single_object", "two_object", "counting", "colors", "position",',
    '"color_attr", "overall", "mismatched_overall", "specificity", "objects_per_image"}.',
    '',
    '  --prompts FILE        prompts JSONL (reca shapes prompts)',
    '  --images DIR          generated images',
    '  --unconditional DIR   also score unconditional samples (every .png in DIR) against all prompts (table only)',
    '  --details FILE        write one JSON line per image: prompt id, k, passed, failures, objects',
    '  --summary FILE        also write the JSON summary (with unconditional_overall and unconditional_objects_per_image',
    '                        when --unconditional is given) to FILE',
  ].join('\n'),
  async run(argv, context) {
    const flags = parseCommandFlags('eval', argv, flagsSchema);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    const promptsPath = resolve(context.cwd, flags.prompts);
    if (!existsSync(promptsPath)) throw new MissingFileError({ path: promptsPath, referencedBy: '--prompts' });
    const prompts = await readPromptsFile(promptsPath);
    if (prompts.length === 0) throw new MissingFileError({ path: `${promptsPath} (holds no prompt)`, referencedBy: '--prompts' });
    const files = await findPromptImageFiles(resolve(context.cwd, flags.images), prompts);
    const summary = evaluateImages(prompts, await loadPromptImages(files));
    context.stdout(formatEvaluationTable(summary));
    let unconditional: Record<string, number> = {};
    if (flags.unconditional !== undefined) {
      const folder = resolve(context.cwd, flags.unconditional);
      const names = await readdir(folder).catch((error: unknown) => {
        throw new MissingFileError({ path: folder, kind: 'folder', referencedBy: '--unconditional', cause: error });
      });
      const pngs = names.filter((name) => name.toLowerCase().endsWith('.png')).sort();
      if (pngs.length === 0) throw new MissingFileError({ path: join(folder, '*.png'), referencedBy: '--unconditional' });
      const images = await Promise.all(pngs.map((name) => readImageRgb(join(folder, name))));
      const score = evaluateUnconditionalImages(images, prompts);
      context.stdout(`unconditional (${score.imageCount} images): overall ${score.overall.toFixed(3)}, objects per image ${score.objectsPerImage.toFixed(3)}`);
      unconditional = { unconditional_overall: score.overall, unconditional_objects_per_image: score.objectsPerImage };
    }
    if (flags.details !== undefined) {
      const lines = summary.results.map((result) =>
        JSON.stringify({
          id: result.promptId,
          k: result.index,
          category: result.category,
          passed: result.passed,
          failures: result.failures,
          objects: result.objectCount,
          mismatched: Number.isFinite(result.mismatchedPassRate) ? result.mismatchedPassRate : null,
        }),
      );
      await writeFile(resolve(context.cwd, flags.details), lines.map((line) => `${line}\n`).join(''));
    }
    if (flags.summary !== undefined) {
      await writeFile(resolve(context.cwd, flags.summary), `${JSON.stringify({ ...evaluationSummaryJson(summary), ...unconditional }, null, 2)}\n`);
    }
    context.stdout(JSON.stringify(evaluationSummaryJson(summary)));
    return 0;
  },
};
