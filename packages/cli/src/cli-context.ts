/** Where a command writes and where it runs; tests pass their own to capture output. */
export interface CliContext {
  /** Writes one line (a newline is added) to standard output. */
  stdout(line: string): void;
  /** Writes one line (a newline is added) to standard error. */
  stderr(line: string): void;
  /** Folder that relative paths are resolved against. */
  readonly cwd: string;
  /** Whether standard output is a terminal: long work then shows a live progress bar, else plain lines. @default false */
  readonly interactive?: boolean;
}

/** The context of the real process. */
export function processCliContext(): CliContext {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    cwd: process.cwd(),
    interactive: process.stdout.isTTY === true,
  };
}
