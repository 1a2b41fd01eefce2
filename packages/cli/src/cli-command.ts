import type { CliContext } from './cli-context.js';

/**
 * One `reca` command. Each lives in its own file under `commands/` and is listed in `commands/index.ts`; adding a
 * command (sample, pretrain, posttrain, report, info) means adding one file and one line there.
 */
export interface CliCommand {
  /** The words that select it, e.g. `['shapes', 'generate']`. */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** The usage text shown by `reca <command> --help` (first line: the synopsis). */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its path. Returns the exit status (0 when omitted). Throw
   * `CliUsageError` for a bad command line and any `RecaError` for bad input; `runCli` turns either into one line.
   */
  run(argv: readonly string[], context: CliContext): Promise<number | void>;
}
