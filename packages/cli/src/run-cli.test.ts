import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writePngRgb } from '@reca/data';
import { SeededRandom } from '@reca/runtime';
import { readPromptsFile, readScenesFile, renderScene, sampleSceneForPrompt } from '@reca/shapes-world';
import { describe, expect, it } from 'vitest';
import type { CliContext } from './cli-context.js';
import { runCli } from './run-cli.js';

interface Run {
  status: number;
  stdout: string[];
  stderr: string[];
}

async function reca(cwd: string, ...argv: string[]): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const context: CliContext = { cwd, stdout: (line) => stdout.push(...line.split('\n')), stderr: (line) => stderr.push(...line.split('\n')) };
  const status = await runCli(argv, context);
  return { status, stdout, stderr };
}

/** Asserts a failed run: non-zero status, nothing on stdout, exactly one `reca: error:` line matching `pattern`. */
function expectOneErrorLine(run: Run, status: number, pattern: RegExp): void {
  expect(run.status).toBe(status);
  expect(run.stderr).toHaveLength(1);
  expect(run.stderr[0]).toMatch(/^reca: error: /);
  expect(run.stderr[0]).toMatch(pattern);
}

describe('reca (end to end in a temporary folder)', () => {
  it('generate → prompts → ground-truth {id}_{k}.png → eval prints overall 1 as the last line', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-cli-'));
    const generated = await reca(folder, 'shapes', 'generate', '--out', 'data', '--count', '40', '--seed', '7');
    expect(generated.status).toBe(0);
    const scenes = await readScenesFile(join(folder, 'data', 'scenes.jsonl'));
    expect(scenes).toHaveLength(40);
    expect(scenes[39]?.file).toBe('images/39.png');

    const prompts = await reca(folder, 'shapes', 'prompts', '--out', 'prompts.jsonl', '--per-category', '6', '--seed', '3', '--split', 'heldout');
    expect(prompts.status).toBe(0);
    const records = await readPromptsFile(join(folder, 'prompts.jsonl'));
    expect(records).toHaveLength(36);
    const firstLine = JSON.parse((await readFile(join(folder, 'prompts.jsonl'), 'utf8')).split('\n')[0] as string) as Record<string, unknown>;
    expect(Object.keys(firstLine)).toEqual(['id', 'prompt', 'category', 'include', 'exclude']);

    const random = new SeededRandom(1);
    for (const record of records) {
      for (let k = 0; k < 3; k++) {
        const image = renderScene(sampleSceneForPrompt(record, random));
        await writePngRgb(join(folder, 'samples', `${record.id}_${k}.png`), image.data, image.width, image.height);
      }
    }
    const evaluated = await reca(folder, 'eval', '--prompts', 'prompts.jsonl', '--images', 'samples', '--details', 'details.jsonl', '--unconditional', 'data/images');
    expect(evaluated.stderr).toEqual([]);
    expect(evaluated.status).toBe(0);
    const summary = JSON.parse(evaluated.stdout.at(-1) as string) as Record<string, number>;
    expect(Object.keys(summary)).toEqual([
      'single_object',
      'two_object',
      'counting',
      'colors',
      'position',
      'color_attr',
      'overall',
      'mismatched_overall',
      'specificity',
      'objects_per_image',
    ]);
    expect(summary.overall).toBe(1);
    for (const category of ['single_object', 'two_object', 'counting', 'colors', 'position', 'color_attr']) expect(summary[category]).toBe(1);
    expect(summary.specificity).toBeGreaterThan(0.5);
    expect(evaluated.stdout.join('\n')).toMatch(/overall\s+36\s+108\s+1\.000/);
    expect(evaluated.stdout.join('\n')).toMatch(/unconditional \(40 images\): overall 0\.\d{3}/);
    expect((await readFile(join(folder, 'details.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(108);
  });

  it('fails with one clear line on bad flags', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-cli-'));
    expectOneErrorLine(await reca(folder), 2, /no command given/);
    expectOneErrorLine(await reca(folder, 'shapes', 'paint'), 2, /unknown command 'shapes paint'/);
    expectOneErrorLine(await reca(folder, 'shapes', 'generate', '--out', 'd', '--seed', '1'), 2, /missing required flag --count/);
    expectOneErrorLine(await reca(folder, 'shapes', 'generate', '--out', 'd', '--count', 'ten', '--seed', '1'), 2, /--count must be an integer, got "ten"/);
    expectOneErrorLine(await reca(folder, 'shapes', 'generate', '--out', 'd', '--count', '0', '--seed', '1'), 2, /--count must be ≥ 1/);
    expectOneErrorLine(await reca(folder, 'shapes', 'generate', '--out', 'd', '--count', '2', '--seed', '1', '--size', '8'), 2, /--size must be ≥ 11/);
    expectOneErrorLine(await reca(folder, 'shapes', 'generate', '--out', 'd', '--count', '2', '--seed', '1', '--colour', 'red'), 2, /Unknown option '--colour'/);
    expectOneErrorLine(await reca(folder, 'shapes', 'prompts', '--out', 'p.jsonl', '--split', 'test'), 2, /--split must be one of train, heldout/);
    expectOneErrorLine(await reca(folder, 'eval', '--prompts', 'p.jsonl'), 2, /missing required flag --images/);
    const help = await reca(folder, 'eval', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout[0]).toBe('reca eval --prompts FILE --images DIR [--unconditional DIR] [--details FILE] [--summary FILE]');
  });

  it('fails with one clear line on bad input files', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-cli-'));
    expectOneErrorLine(await reca(folder, 'eval', '--prompts', 'missing.jsonl', '--images', '.'), 1, /file not found: .*missing\.jsonl/);
    await writeFile(join(folder, 'bad.jsonl'), '{"id": "a", "prompt": "a circle"}\n{"id": "b", "prompt": "a purple hexagon"}\n');
    expectOneErrorLine(await reca(folder, 'eval', '--prompts', 'bad.jsonl', '--images', '.'), 1, /bad\.jsonl line 2: unknown words "purple", "hexagon"/);
    await writeFile(join(folder, 'good.jsonl'), '{"id": "a", "prompt": "a circle"}\n');
    expectOneErrorLine(await reca(folder, 'eval', '--prompts', 'good.jsonl', '--images', 'nowhere'), 1, /folder not found: .*nowhere/);
    expectOneErrorLine(await reca(folder, 'eval', '--prompts', 'good.jsonl', '--images', '.'), 1, /file not found: .*a_0\.png \(referenced by prompt "a"\)/);
    await writeFile(join(folder, 'a_0.png'), 'not a png');
    expectOneErrorLine(await reca(folder, 'eval', '--prompts', 'good.jsonl', '--images', '.'), 1, /image .*a_0\.png is not a PNG, JPEG or WebP image/);
  });

  it('runs as a process: exit status and the JSON summary on the last line of stdout', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-cli-'));
    const bin = join(dirname(fileURLToPath(import.meta.url)), 'bin.ts');
    // The TypeScript source runs through tsx (a root dev dependency), resolved from here so any cwd works.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const run = (...argv: string[]) =>
      promisify(execFile)(process.execPath, ['--import', tsx, bin, ...argv], { cwd: folder }).then(
        (result) => ({ code: 0, ...result }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const failed = await run('shapes', 'generate', '--out', 'd');
    expect(failed.code).toBe(2);
    expect(failed.stderr.trim().split('\n')).toEqual(['reca: error: shapes generate: missing required flag --count (see reca shapes generate --help)']);
    await writeFile(join(folder, 'p.jsonl'), '{"id": "one", "prompt": "a red square", "category": "colors"}\n');
    const image = renderScene({ width: 32, height: 32, objects: [{ color: 'red', shape: 'square', left: 3, top: 3, size: 9 }] });
    await writePngRgb(join(folder, 'images', 'one_0.png'), image.data, 32, 32);
    const evaluated = await run('eval', '--prompts', 'p.jsonl', '--images', 'images');
    expect(evaluated.code).toBe(0);
    const lastLine = evaluated.stdout.trim().split('\n').at(-1) as string;
    expect(JSON.parse(lastLine)).toMatchObject({ colors: 1, overall: 1, objects_per_image: 1, single_object: null });
  });
});
