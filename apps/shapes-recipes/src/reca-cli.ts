import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The commands that take `--backend`. */
const backendCommands = new Set(['pretrain', 'posttrain', 'sample', 'info']);

/** How the recipe runs the `reca` CLI: which node flags and which backend every command gets. */
export interface RecaCliRunner {
  /** Runs `reca …args` in `cwd`, streaming its output; resolves to its stdout lines; rejects on a non-zero exit. */
  run(args: readonly string[]): Promise<string[]>;
  /** Every command run so far, as a user would type it from the repository root (`pnpm reca …`). */
  readonly commands: string[];
}

/**
 * The path of the CLI's built entry point (`@reca/cli`'s `dist/bin.js`; `pnpm recipe` builds it first) and, when the
 * libtorch backend package is installed, its entry URL: child processes preload it with `--import` so that the CLI
 * finds the torch backend.
 */
export function locateCli(): { bin: string; torchModule: string | undefined } {
  const cliPackage = fileURLToPath(import.meta.resolve('@reca/cli/package.json'));
  let torchModule: string | undefined;
  try {
    torchModule = import.meta.resolve('@reca/runtime-torch');
  } catch {
    torchModule = undefined;
  }
  return { bin: join(dirname(cliPackage), 'dist', 'bin.js'), torchModule };
}

/**
 * A runner that spawns `node [--import runtime-torch] bin.js …` for each command with `--backend` set to `backend`.
 *
 * @param repositoryRoot - folder the printed commands are relative to.
 * @param logFile - every command and its output are appended here.
 * @param echo - print the children's output lines (progress) to this process's stdout.
 */
export function createRecaCliRunner({
  backend,
  cwd,
  repositoryRoot,
  logFile,
  echo,
}: {
  backend: string;
  cwd: string;
  repositoryRoot: string;
  logFile: string;
  echo: boolean;
}): RecaCliRunner {
  const { bin, torchModule } = locateCli();
  const commands: string[] = [];
  const nodeArguments = backend === 'torch' && torchModule ? ['--import', torchModule] : [];
  return {
    commands,
    run(args) {
      const withBackend = backendCommands.has(args[0] ?? '') ? [...args, '--backend', backend] : [...args];
      const shown = withBackend.map((word) => (word.startsWith('/') ? relative(repositoryRoot, word) || '.' : word));
      const printed = `pnpm reca ${shown.join(' ')}`;
      commands.push(printed);
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [...nodeArguments, bin, ...withBackend], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        const lines: string[] = [];
        let pending = '';
        const output: string[] = [];
        child.stdout.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          const parts = pending.split('\n');
          pending = parts.pop() ?? '';
          for (const line of parts) {
            lines.push(line);
            output.push(line);
            if (echo) process.stdout.write(`    ${line}\n`);
          }
        });
        child.stderr.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) {
            // Dawn's adapter probe notices are not the command's output.
            if (line.trim() === '' || line.startsWith('Warning: max')) continue;
            output.push(line);
            process.stderr.write(`    ${line}\n`);
          }
        });
        child.on('error', reject);
        child.on('close', (code) => {
          if (pending) lines.push(pending);
          void appendFile(logFile, `$ ${printed}\n${output.join('\n')}\n`).finally(() => {
            if (code === 0) resolve(lines);
            else reject(new Error(`${printed} exited with status ${code}`));
          });
        });
      });
    },
  };
}
