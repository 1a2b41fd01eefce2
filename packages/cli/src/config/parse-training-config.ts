import { CliInputError } from '../cli-input-error.js';
import { type TrainingConfig, trainingConfigSchema } from './training-config.js';

/** Sets `value` at a dotted `path` of `target` (creating objects on the way); `undefined` values are skipped. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  if (value === undefined) return;
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    node = (node[key] = child !== null && typeof child === 'object' && !Array.isArray(child) ? { ...(child as Record<string, unknown>) } : {}) as Record<
      string,
      unknown
    >;
  }
  node[keys.at(-1) as string] = value;
}

/**
 * Validates a training configuration: the file's settings with `overrides` (dotted paths, e.g.
 * `{ steps: 50, 'reca.optimizer.learningRate': 1e-4 }`, from flags) on top.
 *
 * @param source - where the settings came from, for messages (`config.yaml`, `flags`).
 * @param command - the command, for the hint (`pretrain`).
 * @throws CliInputError naming the first bad field with the expected and actual value.
 */
export function parseTrainingConfig(
  settings: Record<string, unknown>,
  overrides: Record<string, unknown>,
  { source, command }: { source: string; command: string },
): TrainingConfig {
  const merged: Record<string, unknown> = structuredClone(settings);
  for (const [path, value] of Object.entries(overrides)) setPath(merged, path, value);
  const result = trainingConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
  const fieldName = keys.length > 0 ? [field, keys[0]].filter(Boolean).join('.') : field || '(top level)';
  let actual: unknown = merged;
  for (const key of issue?.path ?? []) actual = (actual as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const detail = keys.length > 0 ? 'is not a setting' : `${issue?.message ?? 'is invalid'}${actual === undefined ? '' : `, got ${JSON.stringify(actual)}`}`;
  throw new CliInputError({
    message: `bad configuration (${source}): field '${fieldName}' ${detail}`,
    hint: `see reca ${command} --help for the settings and their defaults`,
  });
}
