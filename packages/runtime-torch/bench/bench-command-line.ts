/** Command-line options of the benchmarks, exporters and the GPU check: `--name value` pairs and `--flag`s. */

/** The value after `--name`, or `fallback`. */
export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? (process.argv[index + 1] as string) : fallback;
}

/** Whether `--name` was given. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** A comma-separated option, each entry checked against `allowed`. */
export function listOption<Name extends string>(name: string, fallback: string, allowed: readonly Name[]): Name[] {
  const values = option(name, fallback)
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${name}: '${value}' is not one of ${allowed.join(', ')}`);
  }
  return values as Name[];
}
