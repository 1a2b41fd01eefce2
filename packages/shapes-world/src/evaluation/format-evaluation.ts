import { promptCategories, promptCategoryTitles } from '../prompts/prompt-category.js';
import type { EvaluationSummary, EvaluationSummaryJson } from './evaluation-summary.js';

const round = (value: number, digits = 4) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
const show = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '—');

/**
 * The JSON summary of DESIGN.md §5, keys in contract order, numbers rounded to 4 decimals, missing scores `null`.
 */
export function evaluationSummaryJson(summary: EvaluationSummary): EvaluationSummaryJson {
  return {
    single_object: round(summary.categories.single_object.accuracy),
    two_object: round(summary.categories.two_object.accuracy),
    counting: round(summary.categories.counting.accuracy),
    colors: round(summary.categories.colors.accuracy),
    position: round(summary.categories.position.accuracy),
    color_attr: round(summary.categories.color_attr.accuracy),
    overall: round(summary.overall),
    mismatched_overall: round(summary.mismatchedOverall),
    specificity: round(summary.specificity),
    objects_per_image: round(summary.objectsPerImage, 3),
  };
}

/** A plain-text table: one row per category, then overall, then objects per image. */
export function formatEvaluationTable(summary: EvaluationSummary): string {
  const header = ['category', 'prompts', 'images', 'accuracy', 'mismatched', 'specificity'];
  const rows = promptCategories.map((category) => {
    const score = summary.categories[category];
    return [
      promptCategoryTitles[category],
      String(score.prompts),
      String(score.images),
      show(score.accuracy),
      show(score.mismatchedAccuracy),
      show(score.accuracy - score.mismatchedAccuracy),
    ];
  });
  const totalPrompts = promptCategories.reduce((sum, category) => sum + summary.categories[category].prompts, 0);
  rows.push(['overall', String(totalPrompts), String(summary.imageCount), show(summary.overall), show(summary.mismatchedOverall), show(summary.specificity)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line), `objects per image: ${show(summary.objectsPerImage)}`].join('\n');
}
