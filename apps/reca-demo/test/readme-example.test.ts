import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const appFolder = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(appFolder, '..', '..', 'README.md');

/** The fenced ts block that follows the `readme-example` marker in the root README. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(readmePath, 'utf8');
  const marker = readme.indexOf('<!-- readme-example');
  expect(marker, 'README.md lost its readme-example marker').toBeGreaterThan(-1);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(match, 'no ```ts block after the readme-example marker').not.toBeNull();
  return (match as RegExpExecArray)[1] as string;
}

describe('README usage example', () => {
  it('runs as written and its reconstruction loss falls', async () => {
    const source = await readmeExample();
    // Written inside this app so that '@reca/core' and '@reca/runtime' resolve as they do for a user.
    const folder = await mkdtemp(join(appFolder, '.readme-example-'));
    const file = join(folder, 'example.ts');
    await writeFile(file, source);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
        cwd: appFolder,
        env: { ...process.env, RECA_BACKEND: 'cpu' },
        timeout: 120_000,
      });
      const losses = [...stdout.matchAll(/step (\d+) reconstruction ([\d.]+)/g)].map((match) => Number(match[2]));
      expect(losses, stdout).toHaveLength(4);
      expect(losses.at(-1) as number).toBeLessThan(losses[0] as number);
      expect(stdout).toMatch(/backend: cpu/i);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
