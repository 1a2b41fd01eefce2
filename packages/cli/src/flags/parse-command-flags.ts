import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { CliUsageError } from '../cli-usage-error.js';

/** `perCategory` → `per-category`. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * Parses `--name value` / `--name=value` flags against a zod object schema whose keys are the camelCase flag names
 * (every flag takes a string value; the schema converts and checks it), except the names listed in `switches`: those
 * take no value and parse to `'true'` when given (use `switchFlag()`). `--help` is always accepted.
 *
 * @returns the parsed flags, or `'help'` when `--help` was given.
 * @throws CliUsageError naming the flag: unknown flags, positional arguments, missing required flags, bad values.
 */
export function parseCommandFlags<Shape extends z.ZodRawShape>(
  command: string,
  argv: readonly string[],
  schema: z.ZodObject<Shape>,
  switches: readonly (keyof Shape & string)[] = [],
): z.infer<z.ZodObject<Shape>> | 'help' {
  const names = Object.keys(schema.shape);
  const options: Record<string, { type: 'string' } | { type: 'boolean' }> = { help: { type: 'boolean' } };
  for (const name of names) options[kebabCase(name)] = { type: switches.includes(name) ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]?.replace(/\. To specify a positional argument.*$/, '') ?? String(error);
    throw new CliUsageError({ command, message: `${message} (see reca ${command} --help)` });
  }
  if (parsed.values.help === true) return 'help';
  const values: Record<string, unknown> = {};
  for (const name of names) {
    const raw = parsed.values[kebabCase(name)];
    const value = raw === true ? 'true' : raw;
    const field = schema.shape[name] as z.ZodType;
    if (value === undefined && !field.safeParse(undefined).success) {
      throw new CliUsageError({ command, message: `missing required flag --${kebabCase(name)} (see reca ${command} --help)` });
    }
    values[name] = value;
  }
  const result = schema.safeParse(values);
  if (!result.success) {
    const issue = result.error.issues[0];
    const flag = issue?.path[0] === undefined ? '' : `--${kebabCase(String(issue.path[0]))} `;
    const given = issue?.path[0] === undefined ? undefined : values[String(issue.path[0])];
    throw new CliUsageError({ command, message: `${flag}${issue?.message ?? 'is invalid'}${given === undefined ? '' : `, got ${JSON.stringify(given)}`}` });
  }
  return result.data;
}
