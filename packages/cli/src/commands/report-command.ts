import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { writePngRgb } from '@reca/data';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { pathFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';
import { plotLossCurves, seriesColors, smoothPoints } from '../report/plot-loss-curves.js';
import { readRun } from '../report/read-run.js';

const flagsSchema = z.object({
  runs: z.string().min(1, { message: 'must list at least one run folder' }),
  out: pathFlag(),
  title: z.string().optional(),
});

const evaluationKeys = ['single_object', 'two_object', 'counting', 'colors', 'position', 'color_attr', 'overall', 'mismatched_overall', 'specificity', 'objects_per_image'];

/** `reca report`: a markdown report of training runs with loss curves as PNG images. */
export const reportCommand: CliCommand = {
  path: ['report'],
  summary: 'write a markdown report of training runs (summary table, loss curves as PNG, evaluations)',
  usage: [
    'reca report --runs RUN[,RUN…] --out DIR [--title TEXT]',
    '',
    'Reads each run folder (config.json, log.jsonl, summary.json, and eval.json when a recipe stored one) and writes',
    'DIR/report.md with a table of the runs (stage, arm, family, steps, seed, backend, wall time, final losses), one',
    'loss-curve image per run (DIR/loss-RUN.png: log-scale loss parts, smoothed) and the evaluations.',
  ].join('\n'),
  async run(argv, context) {
    const flags = parseCommandFlags('report', argv, flagsSchema);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    const out = resolve(context.cwd, flags.out);
    await mkdir(out, { recursive: true });
    const runs = await Promise.all(flags.runs.split(',').map((folder) => readRun(resolve(context.cwd, folder))));
    const lines = [`# ${flags.title ?? 'RecA-TS training report'}`, '', '| run | stage | arm | family | steps | seed | backend | wall time | final losses |', '|---|---|---|---|---|---|---|---|---|'];
    for (const run of runs) {
      const summary = run.summary;
      const last = run.log.at(-1);
      const losses = Object.entries(summary?.finalLosses ?? last?.losses ?? {})
        .map(([part, value]) => `${part} ${Number(value).toFixed(4)}`)
        .join(', ');
      lines.push(
        `| ${run.name} | ${summary?.stage ?? '(unfinished)'} | ${summary?.arm ?? ''} | ${summary?.family ?? ''} | ${summary?.steps ?? last?.step ?? 0} | ${summary?.seed ?? ''} | ${summary ? `${summary.backend} (${summary.device})` : ''} | ${summary ? `${summary.wallSeconds.toFixed(1)} s` : ''} | ${losses} |`,
      );
    }
    lines.push('');
    for (const run of runs) {
      const parts = [...new Set(run.log.flatMap((line) => Object.keys(line.losses)))];
      const series = parts.map((part, index) => ({
        name: part,
        color: (seriesColors[index % seriesColors.length] as (typeof seriesColors)[number]).rgb,
        points: smoothPoints(
          run.log.filter((line) => line.losses[part as keyof typeof line.losses] !== undefined).map((line) => [line.step, line.losses[part as keyof typeof line.losses] as number] as const),
          Math.max(1, Math.round(run.log.length / 50)),
        ),
      }));
      const plot = plotLossCurves(series);
      const file = join(out, `loss-${run.name}.png`);
      await writePngRgb(file, plot.image.data, plot.image.width, plot.image.height);
      lines.push(`## ${run.name}`, '');
      if (run.summary) lines.push(`Command: \`${run.summary.command}\` (git ${run.summary.gitCommit})`, '');
      lines.push(
        `![loss curves of ${run.name}](${relative(out, file)})`,
        '',
        `Loss per step (log scale ${plot.losses[0].toPrecision(3)} – ${plot.losses[1].toPrecision(3)}, steps ${plot.steps[0]} – ${plot.steps[1]}, smoothed): ` +
          parts.map((part, index) => `${part} = ${(seriesColors[index % seriesColors.length] as (typeof seriesColors)[number]).name}`).join(', '),
        '',
      );
      if (run.evaluation) {
        lines.push(`| ${evaluationKeys.join(' | ')} |`, `|${evaluationKeys.map(() => '---').join('|')}|`);
        lines.push(`| ${evaluationKeys.map((key) => (run.evaluation?.[key] === undefined ? '' : Number(run.evaluation[key]).toFixed(3))).join(' | ')} |`, '');
      }
    }
    await writeFile(join(out, 'report.md'), `${lines.join('\n')}\n`);
    context.stdout(`wrote ${join(out, 'report.md')} (${runs.length} runs)`);
    return 0;
  },
};
