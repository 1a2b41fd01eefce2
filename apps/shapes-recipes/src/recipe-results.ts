import type { ModelMeasurements } from './measure-model.js';

/** The mini-GenEval summary `reca eval --summary` writes, plus the unconditional score. */
export interface EvaluationSummary {
  single_object: number;
  two_object: number;
  counting: number;
  colors: number;
  position: number;
  color_attr: number;
  overall: number;
  mismatched_overall: number;
  specificity: number;
  objects_per_image: number;
  unconditional_overall?: number;
  unconditional_objects_per_image?: number;
}

/** One evaluated model of the recipe. */
export interface ArmResult {
  readonly family: string;
  /** `before`, `RecA` or `control`. */
  readonly arm: 'before' | 'RecA' | 'control';
  /** Post-training seed (the before model has the pretraining seed). */
  readonly seed: number;
  readonly checkpoint: string;
  readonly evaluation: EvaluationSummary;
  readonly measurements: ModelMeasurements;
  /** Wall seconds of the training that produced it (0 for a shipped checkpoint). */
  readonly trainingSeconds: number;
}

/** Columns of the before/after tables: key, title, digits. */
export const resultColumns: ReadonlyArray<{ title: string; pick: (result: ArmResult) => number | undefined; digits: number }> = [
  { title: 'single', pick: (result) => result.evaluation.single_object, digits: 2 },
  { title: 'two', pick: (result) => result.evaluation.two_object, digits: 2 },
  { title: 'count', pick: (result) => result.evaluation.counting, digits: 2 },
  { title: 'colours', pick: (result) => result.evaluation.colors, digits: 2 },
  { title: 'position', pick: (result) => result.evaluation.position, digits: 2 },
  { title: 'colour attr.', pick: (result) => result.evaluation.color_attr, digits: 2 },
  { title: 'overall', pick: (result) => result.evaluation.overall, digits: 3 },
  { title: 'mismatched', pick: (result) => result.evaluation.mismatched_overall, digits: 3 },
  { title: 'specificity', pick: (result) => result.evaluation.specificity, digits: 3 },
  { title: 'objects/img', pick: (result) => result.evaluation.objects_per_image, digits: 2 },
  { title: 'uncond.', pick: (result) => result.evaluation.unconditional_overall, digits: 3 },
  { title: 'caption exact', pick: (result) => result.measurements.captionExact, digits: 3 },
  { title: 'recon. PSNR', pick: (result) => result.measurements.reconstructionPsnr, digits: 1 },
];

/** Mean and (when there are several) standard error of the column over `results`. */
export function meanOf(results: readonly ArmResult[], pick: (result: ArmResult) => number | undefined): { mean: number; standardError: number | undefined } {
  const values = results.map(pick).filter((value): value is number => value !== undefined && Number.isFinite(value));
  const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  if (values.length < 2) return { mean, standardError: undefined };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, standardError: Math.sqrt(variance / values.length) };
}

/** Rows `before`, `RecA (mean of n seeds)`, `control (mean of n)` of one family as cells of text. */
export function familyRows(results: readonly ArmResult[], family: string, withErrors: boolean): string[][] {
  const rows: string[][] = [];
  for (const arm of ['before', 'RecA', 'control'] as const) {
    const armResults = results.filter((result) => result.family === family && result.arm === arm);
    if (armResults.length === 0) continue;
    const label = armResults.length > 1 ? `${arm} (${armResults.length} seeds)` : arm;
    rows.push([
      family,
      label,
      ...resultColumns.map((column) => {
        const { mean, standardError } = meanOf(armResults, column.pick);
        if (!Number.isFinite(mean)) return '–';
        return withErrors && standardError !== undefined ? `${mean.toFixed(column.digits)} ± ${standardError.toFixed(column.digits)}` : mean.toFixed(column.digits);
      }),
    ]);
  }
  return rows;
}

/** A fixed-width text table. */
export function formatTextTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** A markdown table. */
export function formatMarkdownTable(header: readonly string[], rows: readonly string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** The header of the before/after tables. */
export const tableHeader = ['family', 'arm', ...resultColumns.map((column) => column.title)];
