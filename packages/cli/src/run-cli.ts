import type { CliCommand } from './cli-command.js';
import type { CliContext } from './cli-context.js';
import { CliUsageError } from './cli-usage-error.js';
import { commands as defaultCommands } from './commands/index.js';
import { formatErrorLine } from './format-error-line.js';
import { VERSION } from './version.js';

/** Exit status for a bad command line (unknown command or flag, missing flag, bad value). */
export const usageExitCode = 2;
/** Exit status for bad input (missing or invalid files, unknown prompt words) and other failures. */
export const failureExitCode = 1;

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.path.join(' ').length));
  return [
    'usage: reca <command> [flags]   (reca <command> --help for its flags)',
    '',
    ...commands.map((command) => `  ${command.path.join(' ').padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

/**
 * Runs `reca` with `argv` (the arguments after the program name). Never throws: on failure it writes exactly one
 * line, `reca: error: …`, to `context.stderr` and returns a non-zero status (2 for a bad command line, 1 for bad
 * input). Set `RECA_DEBUG=1` to also print the stack.
 *
 * @returns the exit status.
 */
export async function runCli(argv: readonly string[], context: CliContext, commands: readonly CliCommand[] = defaultCommands): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      if (argv.length === 0) {
        throw new CliUsageError({ command: '', message: `no command given (commands: ${commands.map((command) => command.path.join(' ')).join(', ')}; see reca --help)` });
      }
      context.stdout(overview(commands));
      return 0;
    }
    if (argv[0] === '--version' || argv[0] === '-v') {
      context.stdout(VERSION);
      return 0;
    }
    const command = [...commands]
      .sort((first, second) => second.path.length - first.path.length)
      .find((candidate) => candidate.path.every((word, index) => argv[index] === word));
    if (command === undefined) {
      const words = argv.filter((word) => !word.startsWith('-')).slice(0, 2).join(' ');
      throw new CliUsageError({
        command: '',
        message: `unknown command '${words || argv[0]}' (commands: ${commands.map((candidate) => candidate.path.join(' ')).join(', ')})`,
      });
    }
    return (await command.run(argv.slice(command.path.length), context)) ?? 0;
  } catch (error) {
    context.stderr(`reca: error: ${formatErrorLine(error)}`);
    if (process.env.RECA_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return CliUsageError.isInstance(error) ? usageExitCode : failureExitCode;
  }
}
