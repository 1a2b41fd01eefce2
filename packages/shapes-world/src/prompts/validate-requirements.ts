import { isShapeColor } from '../palette/shape-color.js';
import { isShapeKind } from '../scene/shape-kind.js';
import type { ExcludeRequirement, ObjectRequirement } from './prompt-requirements.js';
import { relations } from './relation.js';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function checkTarget(entry: Record<string, unknown>, where: string): string | undefined {
  if (entry.shape !== undefined && !(typeof entry.shape === 'string' && isShapeKind(entry.shape))) return `${where}.shape ${JSON.stringify(entry.shape)} is not circle, square or triangle`;
  if (entry.color !== undefined && !(typeof entry.color === 'string' && isShapeColor(entry.color))) return `${where}.color ${JSON.stringify(entry.color)} is not a ShapesWorld colour`;
  if (!Number.isInteger(entry.count) || (entry.count as number) < 1) return `${where}.count must be a positive integer, got ${JSON.stringify(entry.count)}`;
  return undefined;
}

/**
 * Checks the `include` array of a prompt line (what `reca shapes prompts` writes): objects with optional `shape`,
 * optional `color`, integer `count` ≥ 1 and optional `position: {relation, target}` pointing at another entry.
 * @returns the typed requirements, or a message saying what is wrong.
 */
export function validateInclude(value: unknown): ObjectRequirement[] | string {
  if (!Array.isArray(value) || value.length === 0) return '"include" must be a non-empty array';
  for (const [index, entry] of value.entries()) {
    const where = `include[${index}]`;
    if (!isRecord(entry)) return `${where} must be an object`;
    const problem = checkTarget(entry, where);
    if (problem) return problem;
    if (entry.position !== undefined) {
      const position = entry.position;
      if (!isRecord(position) || !(relations as readonly unknown[]).includes(position.relation)) {
        return `${where}.position.relation must be one of ${relations.join(', ')}`;
      }
      if (!Number.isInteger(position.target) || (position.target as number) < 0 || (position.target as number) >= value.length || position.target === index) {
        return `${where}.position.target must index another include entry, got ${JSON.stringify(position.target)}`;
      }
    }
  }
  return value as ObjectRequirement[];
}

/** Checks the `exclude` array of a prompt line; see {@link validateInclude}. */
export function validateExclude(value: unknown): ExcludeRequirement[] | string {
  if (!Array.isArray(value)) return '"exclude" must be an array';
  for (const [index, entry] of value.entries()) {
    if (!isRecord(entry)) return `exclude[${index}] must be an object`;
    const problem = checkTarget(entry, `exclude[${index}]`);
    if (problem) return problem;
  }
  return value as ExcludeRequirement[];
}
