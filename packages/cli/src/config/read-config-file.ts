import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { CliInputError } from '../cli-input-error.js';

/**
 * Reads a configuration file: YAML for `.yaml` / `.yml`, else JSON. The top level must be an object.
 *
 * @throws CliInputError naming the file for a missing file, a syntax error or a non-object top level.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) {
    throw new CliInputError({ message: `--config: '${path}' does not exist`, hint: 'check the path (JSON or YAML file)' });
  }
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new CliInputError({
      message: `--config: '${path}' is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`,
      hint: 'fix the syntax (files ending in .yaml/.yml are read as YAML, others as JSON)',
      cause: error,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CliInputError({ message: `--config: '${path}' must hold an object of settings, got ${Array.isArray(value) ? 'a list' : typeof value}`, hint: 'write key: value pairs at the top level' });
  }
  return value as Record<string, unknown>;
}
