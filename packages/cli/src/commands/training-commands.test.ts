import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelCheckpoint, readModelCheckpointInfo } from '@reca/core';
import { readImageRgb } from '@reca/data';
import { tf } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../cli-context.js';
import { runCli } from '../run-cli.js';

interface Run {
  status: number;
  stdout: string[];
  stderr: string[];
}

async function reca(cwd: string, argv: string[], onLine?: (line: string) => void): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const context: CliContext = {
    cwd,
    stdout: (line) => {
      stdout.push(...line.split('\n'));
      onLine?.(line);
    },
    stderr: (line) => stderr.push(...line.split('\n')),
  };
  return { status: await runCli(argv, context), stdout, stderr };
}

function expectOneErrorLine(run: Run, pattern: RegExp): void {
  expect(run.status).toBe(1);
  expect(run.stderr).toHaveLength(1);
  expect(run.stderr[0]).toMatch(/^reca: error: .*\(hint: .+\)$/);
  expect(run.stderr[0]).toMatch(pattern);
}

async function logOf(folder: string): Promise<Array<{ step: number; loss: number; losses: Record<string, number> }>> {
  return (await readFile(join(folder, 'log.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { step: number; loss: number; losses: Record<string, number> });
}

async function weightsOf(path: string): Promise<Record<string, number[]>> {
  const checkpoint = await loadModelCheckpoint(path);
  const weights = Object.fromEntries([...checkpoint.weights].map(([name, tensor]) => [name, Array.from(tensor.dataSync())]));
  tf.dispose([...checkpoint.weights.values()]);
  return weights;
}

const micro = ['--data-count', '48', '--batch-size', '4', '--image-codec-steps', '0', '--log-every', '1'];
const microPosttrain = ['--data-count', '48', '--batch-size', '4', '--log-every', '1'];

describe('reca pretrain → posttrain → sample → eval (diffusion, micro config)', () => {
  it('runs the whole pipeline and every stage writes what it promises', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-train-'));
    const pretrain = await reca(folder, ['pretrain', '--family', 'diffusion', '--out', 'pre', '--steps', '6', '--checkpoint-every', '2', ...micro]);
    expect(pretrain.stderr).toEqual([]);
    expect(pretrain.status).toBe(0);
    expect(pretrain.stdout.join('\n')).toMatch(/pretrain step 6\/6 {2}loss \d+\.\d{4} \(image-to-text .*, text-to-image .*, alignment .*\) {2}[\d.]+ step\/s {2}ETA/);
    const log = await logOf(join(folder, 'pre'));
    expect(log.map((line) => line.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const line of log) {
      expect(Object.keys(line.losses).sort()).toEqual(['alignment', 'image-to-text', 'text-to-image']);
      // loss = mean over micro-batches of weight × loss (weights 1, 1, 0.5)
      expect(line.loss).toBeCloseTo((line.losses['image-to-text']! + line.losses['text-to-image']! + 0.5 * line.losses.alignment!) / 3, 5);
    }
    const info = await readModelCheckpointInfo(join(folder, 'pre', 'model.safetensors'));
    expect(info.family).toBe('diffusion');
    expect(JSON.parse(info.extra.training as string)).toMatchObject({ stage: 'pretrain', mix: { imageToText: 1, textToImage: 1, alignment: 1, reconstruction: 0 } });
    expect(JSON.parse(info.extra.produced_by as string)).toMatchObject({ stage: 'pretrain', steps: 6, seed: 0, command: expect.stringMatching(/^reca pretrain --family diffusion/) });
    // the decoupled (diffusion) model is saved frozen again after pretraining with a shared understanding side
    expect((info.config as { understanding: { mode: string } }).understanding.mode).toBe('frozen');

    const recaRun = await reca(folder, ['posttrain', '--checkpoint', 'pre/model.safetensors', '--out', 'reca', '--steps', '4', ...microPosttrain]);
    expect(recaRun.status).toBe(0);
    expect(recaRun.stdout.join('\n')).toMatch(/mix \{"reconstruction":1,"imageToText":0,"textToImage":0,"alignment":0\}, understanding frozen/);
    expect((await logOf(join(folder, 'reca'))).map((line) => Object.keys(line.losses))).toEqual([['reconstruction'], ['reconstruction'], ['reconstruction'], ['reconstruction']]);
    const control = await reca(folder, ['posttrain', '--checkpoint', 'pre/model.safetensors', '--arm', 'control', '--out', 'control', '--steps', '4', ...microPosttrain]);
    expect(control.status).toBe(0);
    expect((await logOf(join(folder, 'control')))[0]?.losses).toHaveProperty('text-to-image');
    // the frozen understanding side did not change under RecA; the generator did
    const [before, after] = [await weightsOf(join(folder, 'pre', 'model.safetensors')), await weightsOf(join(folder, 'reca', 'model.safetensors'))];
    const changed = (prefix: string) => Object.keys(before).some((name) => name.startsWith(prefix) && before[name]!.some((value, index) => value !== after[name]![index]));
    expect(changed('understanding.vit.')).toBe(false);
    expect(changed('blocks.')).toBe(true);

    expect((await reca(folder, ['shapes', 'prompts', '--out', 'prompts.jsonl', '--per-category', '1', '--split', 'heldout'])).status).toBe(0);
    const sampled = await reca(folder, ['sample', '--checkpoint', 'reca/model.safetensors', '--prompts', 'prompts.jsonl', '--out', 'samples', '--images-per-prompt', '2', '--unconditional', '3', '--steps', '2']);
    expect(sampled.stderr).toEqual([]);
    expect(sampled.status).toBe(0);
    const files = (await readdir(join(folder, 'samples'))).filter((name) => name.endsWith('.png')).sort();
    expect(files).toHaveLength(12);
    expect(files).toContain('single_object-000_1.png');
    const image = await readImageRgb(join(folder, 'samples', 'single_object-000_0.png'));
    expect([image.width, image.height]).toEqual([32, 32]);
    expect(await readdir(join(folder, 'samples', 'unconditional'))).toEqual(['0.png', '1.png', '2.png']);
    // same seed → the same images
    await reca(folder, ['sample', '--checkpoint', 'reca/model.safetensors', '--prompts', 'prompts.jsonl', '--out', 'again', '--images-per-prompt', '2', '--steps', '2']);
    expect(await readFile(join(folder, 'again', 'colors-000_1.png'))).toEqual(await readFile(join(folder, 'samples', 'colors-000_1.png')));

    const evaluated = await reca(folder, ['eval', '--prompts', 'prompts.jsonl', '--images', 'samples', '--unconditional', 'samples/unconditional', '--summary', 'pre/eval.json']);
    expect(evaluated.status).toBe(0);
    const summary = JSON.parse(evaluated.stdout.at(-1) as string) as Record<string, number>;
    expect(summary.overall).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(await readFile(join(folder, 'pre', 'eval.json'), 'utf8'))).toHaveProperty('unconditional_overall');

    const report = await reca(folder, ['report', '--runs', 'pre,reca,control', '--out', 'report']);
    expect(report.status).toBe(0);
    const markdown = await readFile(join(folder, 'report', 'report.md'), 'utf8');
    expect(markdown).toMatch(/\| pre \| pretrain \| pretrain \| diffusion \| 6 \| 0 \|/);
    expect(markdown).toMatch(/\| reca \| posttrain \| reca \| diffusion \| 4 \|/);
    expect(markdown).toMatch(/\| overall \|/);
    const plot = await readImageRgb(join(folder, 'report', 'loss-pre.png'));
    expect([plot.width, plot.height]).toEqual([480, 240]);
    const coloured = Array.from({ length: plot.width * plot.height }, (_, pixel) => plot.data.slice(pixel * 3, pixel * 3 + 3)).filter(
      ([red, green, blue]) => red !== green || green !== blue,
    );
    expect(coloured.length).toBeGreaterThan(50);
  });

  it('--stop-at then --resume continues exactly: the same losses and the same final weights as one uninterrupted run', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-resume-'));
    const common = ['--family', 'diffusion', '--steps', '6', '--checkpoint-every', '100', ...micro];
    expect((await reca(folder, ['pretrain', '--out', 'straight', ...common])).status).toBe(0);
    const stopped = await reca(folder, ['pretrain', '--out', 'split', '--stop-at', '3', ...common]);
    expect(stopped.status).toBe(0);
    expect(stopped.stdout.join('\n')).toMatch(/stopped after step 3; .* --resume/);
    expect(existsSync(join(folder, 'split', 'model.safetensors'))).toBe(false);
    const resumed = await reca(folder, ['pretrain', '--out', 'split', '--resume']);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout.join('\n')).toMatch(/resumed at step 3 of 6/);
    expect(await logOf(join(folder, 'split'))).toEqual((await logOf(join(folder, 'straight'))).map((line) => ({ ...line, seconds: expect.any(Number) })));
    expect(await weightsOf(join(folder, 'split', 'model.safetensors'))).toEqual(await weightsOf(join(folder, 'straight', 'model.safetensors')));

    // the same for RecA post-training
    expect((await reca(folder, ['posttrain', '--checkpoint', 'straight/model.safetensors', '--out', 'reca-straight', '--steps', '4', ...microPosttrain])).status).toBe(0);
    expect((await reca(folder, ['posttrain', '--checkpoint', 'straight/model.safetensors', '--out', 'reca-split', '--steps', '4', '--stop-at', '1', ...microPosttrain])).status).toBe(0);
    expect((await reca(folder, ['posttrain', '--out', 'reca-split', '--resume'])).status).toBe(0);
    expect(await weightsOf(join(folder, 'reca-split', 'model.safetensors'))).toEqual(await weightsOf(join(folder, 'reca-straight', 'model.safetensors')));
  });

  it('Ctrl-C (SIGINT) saves a checkpoint and exits 130; --resume then finishes the run', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-sigint-'));
    const interrupted = await reca(folder, ['pretrain', '--family', 'diffusion', '--out', 'run', '--steps', '400', ...micro], (line) => {
      if (line.startsWith('pretrain step 2/')) process.emit('SIGINT');
    });
    expect(interrupted.status).toBe(130);
    expect(interrupted.stdout.at(-1)).toMatch(/pretrain: interrupted after step 2; checkpoint .*latest\.safetensors; continue with: reca pretrain --out run --resume/);
    expect((await logOf(join(folder, 'run'))).length).toBe(2);
    const resumed = await reca(folder, ['pretrain', '--out', 'run', '--resume', '--stop-at', '4']);
    expect(resumed.status).toBe(0);
    expect((await logOf(join(folder, 'run'))).map((line) => line.step)).toEqual([1, 2, 3, 4]);
  });
});

describe('reca pretrain → posttrain → sample (smoke: the autoregressive families)', () => {
  for (const family of ['masked-autoregressive', 'autoregressive']) {
    it(`${family}: image codec, pretraining, RecA mixed 1:1 with I2T (shared understanding), sampling`, async () => {
      const folder = await mkdtemp(join(tmpdir(), `reca-${family}-`));
      const pretrain = await reca(folder, ['pretrain', '--family', family, '--out', 'pre', '--steps', '2', ...micro, '--image-codec-steps', '2']);
      expect(pretrain.status).toBe(0);
      expect(pretrain.stdout.join('\n')).toMatch(/image codec: .*final loss \d/);
      const recaRun = await reca(folder, ['posttrain', '--checkpoint', 'pre/model.safetensors', '--out', 'reca', '--steps', '2', ...microPosttrain]);
      expect(recaRun.status).toBe(0);
      expect((await logOf(join(folder, 'reca')))[0]?.losses).toEqual({ reconstruction: expect.any(Number), 'image-to-text': expect.any(Number) });
      await writeFile(join(folder, 'p.jsonl'), '{"id": "p", "prompt": "a red circle left of a blue square"}\n');
      const sampled = await reca(folder, ['sample', '--checkpoint', 'reca/model.safetensors', '--prompts', 'p.jsonl', '--out', 's', '--images-per-prompt', '1', '--steps', '2']);
      expect(sampled.status).toBe(0);
      const image = await readImageRgb(join(folder, 's', 'p_0.png'));
      expect([image.width, image.height]).toEqual([32, 32]);
    });
  }
});

describe('bad input: one clear line with a hint, exit status 1', () => {
  it('missing checkpoint, another family, unknown prompt words, bad configs, a training checkpoint as model', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-errors-'));
    await writeFile(join(folder, 'p.jsonl'), '{"id": "a", "prompt": "a red circle"}\n{"id": "b", "prompt": "a purple dragon"}\n');
    expectOneErrorLine(await reca(folder, ['sample', '--checkpoint', 'nope.safetensors', '--prompts', 'p.jsonl', '--out', 's']), /--checkpoint: checkpoint '.*nope\.safetensors' does not exist/);
    expect((await reca(folder, ['pretrain', '--family', 'diffusion', '--out', 'pre', '--steps', '1', ...micro])).status).toBe(0);
    expectOneErrorLine(
      await reca(folder, ['posttrain', '--checkpoint', 'pre/model.safetensors', '--family', 'autoregressive', '--out', 'x']),
      /holds a diffusion model, expected autoregressive \(hint: pass a autoregressive checkpoint|holds a diffusion model, expected autoregressive/,
    );
    expectOneErrorLine(await reca(folder, ['sample', '--checkpoint', 'pre/model.safetensors', '--prompts', 'p.jsonl', '--out', 's']), /p\.jsonl:2: prompt 'a purple dragon' has words the model does not know: purple, dragon/);
    expectOneErrorLine(await reca(folder, ['sample', '--checkpoint', 'pre/checkpoints/latest.safetensors', '--prompts', 'p.jsonl', '--out', 's']), /is not a model checkpoint/);
    await writeFile(join(folder, 'bad-steps.yaml'), 'family: diffusion\nsteps: -3\n');
    expectOneErrorLine(await reca(folder, ['pretrain', '--config', 'bad-steps.yaml', '--out', 'r1']), /bad configuration .*bad-steps\.yaml.*: field 'steps' .*≥1|field 'steps'.*got -3/);
    await writeFile(join(folder, 'bad-key.json'), JSON.stringify({ family: 'diffusion', mix: { bogus: 1 } }));
    expectOneErrorLine(await reca(folder, ['pretrain', '--config', 'bad-key.json', '--out', 'r2']), /field 'mix\.bogus' is not a setting/);
    await writeFile(join(folder, 'bad-reca.yaml'), 'family: diffusion\nreca:\n  optimizer:\n    beta1: 2\n');
    expectOneErrorLine(await reca(folder, ['pretrain', '--config', 'bad-reca.yaml', '--out', 'r3', ...micro]), /bad recaStep settings: Invalid argument 'reca\.optimizer\.beta1': Too big/);
    await writeFile(join(folder, 'broken.yaml'), 'family: [diffusion\n');
    expectOneErrorLine(await reca(folder, ['pretrain', '--config', 'broken.yaml', '--out', 'r4']), /is not valid YAML/);
    expectOneErrorLine(await reca(folder, ['pretrain', '--out', 'r5']), /no model family given/);
    expectOneErrorLine(await reca(folder, ['pretrain', '--family', 'diffusion', '--out', 'pre']), /already holds a run/);
    expectOneErrorLine(await reca(folder, ['posttrain', '--out', 'nothing', '--resume']), /holds no resumable post-training run/);
  });

  it('a config file sets the run and flags override it (YAML)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'reca-config-'));
    await writeFile(join(folder, 'run.yaml'), 'family: diffusion\nsteps: 50\nbatchSize: 4\ndata:\n  count: 24\nmix:\n  alignment: 0\nlogEvery: 1\n');
    const run = await reca(folder, ['pretrain', '--config', 'run.yaml', '--steps', '2', '--out', 'r']);
    expect(run.status).toBe(0);
    const log = await logOf(join(folder, 'r'));
    expect(log).toHaveLength(2);
    expect(Object.keys(log[0]!.losses).sort()).toEqual(['image-to-text', 'text-to-image']);
    const saved = JSON.parse(await readFile(join(folder, 'r', 'config.json'), 'utf8')) as { config: { steps: number; data: { count: number } } };
    expect(saved.config.steps).toBe(2);
    expect(saved.config.data.count).toBe(24);
  });
});
