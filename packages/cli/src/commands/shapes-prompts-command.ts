import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatPromptsJsonl, generatePrompts, type PromptSplit, promptSplits } from '@reca/shapes-world';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { choiceFlag, integerFlag, pathFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';

const flagsSchema = z.object({
  out: pathFlag(),
  split: choiceFlag(promptSplits as [PromptSplit, ...PromptSplit[]]).optional(),
  perCategory: integerFlag({ minimum: 1, maximum: 100_000 }).optional(),
  seed: integerFlag({ minimum: 0, maximum: 2 ** 53 - 1 }).optional(),
});

/** `reca shapes prompts`: GenEval-style prompts with structured requirements (DESIGN.md §5). */
export const shapesPromptsCommand: CliCommand = {
  path: ['shapes', 'prompts'],
  summary: 'write GenEval-style ShapesWorld prompts (six categories) as JSONL',
  usage: [
    'reca shapes prompts --out FILE [--split heldout|train] [--per-category N] [--seed S]',
    '',
    'Writes one line per prompt: {"id", "prompt", "category", "include", "exclude"}.',
    'Categories: single_object, two_object, counting, colors, position, color_attr.',
    '',
    '  --out FILE          output JSONL file',
    '  --split train       train: only colour–shape pairs training captions name; heldout: every colour-bound',
    '                      prompt names a held-out pair',
    '  --per-category 20   prompts per category',
    '  --seed 0            seed (integer)',
  ].join('\n'),
  async run(argv, context) {
    const flags = parseCommandFlags('shapes prompts', argv, flagsSchema);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    const split = flags.split ?? 'train';
    const perCategory = flags.perCategory ?? 20;
    const prompts = generatePrompts({ split, perCategory, seed: flags.seed ?? 0 });
    const out = resolve(context.cwd, flags.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, formatPromptsJsonl(prompts));
    context.stdout(`wrote ${prompts.length} prompts (${split} split, ${perCategory} per category) to ${out}`);
    return 0;
  },
};
