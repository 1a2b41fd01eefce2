import { execFileSync } from 'node:child_process';

/** The git commit of the working tree at `cwd` (with `-dirty` when it has changes), or `'unknown'`. */
export function gitCommitOf(cwd: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}

/** The command line of this process as one shell-like string (`reca pretrain --family diffusion …`). */
export function commandLineOf(command: string, argv: readonly string[]): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);
  return ['reca', command, ...argv.map(quote)].join(' ');
}
