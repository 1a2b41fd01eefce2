import { resolve } from 'node:path';
import { heldoutPolicies, type HeldoutPolicy, writeShapesDataset } from '@reca/shapes-world';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { choiceFlag, integerFlag, pathFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';

const flagsSchema = z.object({
  out: pathFlag(),
  count: integerFlag({ minimum: 1, maximum: 10_000_000 }),
  seed: integerFlag({ minimum: 0, maximum: 2 ** 53 - 1 }),
  size: integerFlag({ minimum: 11, maximum: 4096 }).optional(),
  heldout: choiceFlag(heldoutPolicies as [HeldoutPolicy, ...HeldoutPolicy[]]).optional(),
});

/** `reca shapes generate`: a ShapesWorld dataset on disk (DESIGN.md §5). */
export const shapesGenerateCommand: CliCommand = {
  path: ['shapes', 'generate'],
  summary: 'write N ShapesWorld scenes: DIR/images/{index}.png and DIR/scenes.jsonl',
  usage: [
    'reca shapes generate --out DIR --count N --seed S [--size 32] [--heldout captions|scenes|none]',
    '',
    'Writes DIR/images/{index}.png (index 0 … N−1) and DIR/scenes.jsonl, one line per image:',
    '  {"file", "dense", "sparse", "objects": [{"color", "shape", "cx", "cy", "size"}]}',
    'cx, cy: centroid of the object\'s pixels (column, row); size: width = height in pixels.',
    '',
    '  --out DIR        output folder (created if needed)',
    '  --count N        number of scenes',
    '  --seed S         seed (integer); scene i depends only on (S, i)',
    '  --size 32        canvas size in pixels (objects stay 7–11 px)',
    '  --heldout MODE   held-out colour–shape combinations: captions (default: drawn, never named together),',
    '                   scenes (never drawn), none (no held-out split)',
  ].join('\n'),
  async run(argv, context) {
    const flags = parseCommandFlags('shapes generate', argv, flagsSchema);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    const out = resolve(context.cwd, flags.out);
    const started = Date.now();
    await writeShapesDataset(out, {
      count: flags.count,
      seed: flags.seed,
      canvasSize: flags.size ?? 32,
      heldout: flags.heldout ?? 'captions',
    });
    const seconds = (Date.now() - started) / 1000;
    context.stdout(`wrote ${flags.count} scenes to ${out} (images/, scenes.jsonl) in ${seconds.toFixed(1)} s`);
    return 0;
  },
};
