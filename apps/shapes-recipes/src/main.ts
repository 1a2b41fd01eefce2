/**
 * The ShapesWorld reference recipe (issue 8): for each family, pretrain a tiny UMM (or start from the shipped
 * checkpoint), post-train it with RecA and with an equal-steps control arm for several seeds, evaluate before / RecA /
 * control on the held-out prompt split, and print (and with --report, write) the before → after table.
 * Every training, sampling and scoring step is a `reca` CLI command; the commands are printed and reported.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendName, formatBackendReport, initializeRuntime, isBackendName } from '@reca/runtime';
import { measureModel } from './measure-model.js';
import { createRecaCliRunner } from './reca-cli.js';
import { type ArmResult, type EvaluationSummary, familyRows, formatTextTable, tableHeader } from './recipe-results.js';
import { writeRecipeReport } from './write-recipe-report.js';

const families = ['diffusion', 'masked-autoregressive', 'autoregressive'] as const;
type Family = (typeof families)[number];

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = resolve(appRoot, '..', '..');

const { values: flags } = parseArgs({
  options: {
    families: { type: 'string' },
    'from-checkpoints': { type: 'boolean', default: false },
    'pretrain-steps': { type: 'string', default: '3000' },
    'pretrain-seed': { type: 'string', default: '0' },
    'posttrain-steps': { type: 'string', default: '600' },
    'batch-size': { type: 'string', default: '32' },
    'data-count': { type: 'string', default: '4000' },
    seeds: { type: 'string', default: '0,1' },
    'per-category': { type: 'string', default: '20' },
    'images-per-prompt': { type: 'string', default: '4' },
    guidance: { type: 'string', default: '2' },
    'learning-rate': { type: 'string' },
    backend: { type: 'string' },
    out: { type: 'string', default: join(appRoot, 'runs') },
    report: { type: 'string' },
    ship: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.log(`usage: pnpm --filter @reca/app-shapes-recipes start [flags]

  --families LIST          diffusion,masked-autoregressive,autoregressive (default: all; with --from-checkpoints: diffusion)
  --from-checkpoints       start from the shipped "before" checkpoints (checkpoints/*.safetensors) instead of pretraining
  --pretrain-steps N       pretraining steps, or per family: diffusion=3000,autoregressive=1500 (default 3000)
  --pretrain-seed S        (default 0)
  --posttrain-steps N      RecA / control steps (default 600)    --seeds LIST        post-training seeds (default 0,1)
  --batch-size N           images per micro-batch (default 32)   --data-count N      built-in scenes (default 4000)
  --per-category N         held-out prompts per category (default 20)   --images-per-prompt K (default 4)
  --guidance G             classifier-free guidance for sampling (default 2)
  --learning-rate X        post-training learning rate (default: the CLI's, 1e-4)
  --backend NAME           torch | wasm | … (default: the fastest available)
  --out DIR                run folders (default apps/shapes-recipes/runs)
  --report DIR             also write the report (markdown, grids, loss curves) to DIR
  --ship                   copy the pretrained "before" models to checkpoints/ and update checkpoints/manifest.json`);
  process.exit(0);
}

function integerFlag(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`shapes-recipes: error: --${name} must be a non-negative integer, got '${text}'`);
    process.exit(2);
  }
  return value;
}

const selectedFamilies = (flags.families ?? (flags['from-checkpoints'] ? 'diffusion' : families.join(','))).split(',') as Family[];
for (const family of selectedFamilies) {
  if (!families.includes(family)) {
    console.error(`shapes-recipes: error: --families: unknown family '${family}' (families: ${families.join(', ')})`);
    process.exit(2);
  }
}
/** `--pretrain-steps 3000` or per family: `diffusion=3000,masked-autoregressive=1500,autoregressive=1500`. */
const pretrainStepsOf = (family: Family): number => {
  const text = flags['pretrain-steps'] ?? '3000';
  if (!text.includes('=')) return integerFlag('pretrain-steps', text);
  const entry = text.split(',').find((part) => part.startsWith(`${family}=`));
  return integerFlag('pretrain-steps', entry === undefined ? '3000' : entry.slice(family.length + 1));
};
const pretrainSteps = Object.fromEntries(families.map((family) => [family, pretrainStepsOf(family)]));
const pretrainSeed = integerFlag('pretrain-seed', flags['pretrain-seed']);
const posttrainSteps = integerFlag('posttrain-steps', flags['posttrain-steps']);
const batchSize = integerFlag('batch-size', flags['batch-size']);
const dataCount = integerFlag('data-count', flags['data-count']);
const seeds = (flags.seeds ?? '0').split(',').map((seed) => integerFlag('seeds', seed));
const perCategory = integerFlag('per-category', flags['per-category']);
const imagesPerPrompt = integerFlag('images-per-prompt', flags['images-per-prompt']);
const guidance = flags.guidance ?? '2';
if (flags.backend !== undefined && !isBackendName(flags.backend)) {
  console.error(`shapes-recipes: error: --backend must be one of torch, tensorflow, webgpu, wasm, cpu; got '${flags.backend}'`);
  process.exit(2);
}

async function main(): Promise<void> {
  const started = performance.now();
  try {
    await import('@reca/runtime-torch');
  } catch {
    // Not built here: the portable wasm backend is used.
  }
  const backendReport = await initializeRuntime(flags.backend ? { backend: flags.backend as BackendName } : {});
  const backend = backendReport.backend;
  console.log(formatBackendReport(backendReport).split('\n')[0]);
  console.log(`(the fastest backend available; every reca command below runs with --backend ${backend})\n`);

  const out = resolve(flags.out ?? join(appRoot, 'runs'));
  await mkdir(out, { recursive: true });
  const cli = createRecaCliRunner({ backend, cwd: repositoryRoot, repositoryRoot, logFile: join(out, 'commands.log'), echo: true });
  const checkpointsFolder = join(appRoot, 'checkpoints');

  const prompts = join(out, `prompts-heldout-${perCategory}.jsonl`);
  if (!existsSync(prompts)) await cli.run(['shapes', 'prompts', '--out', prompts, '--split', 'heldout', '--per-category', String(perCategory), '--seed', '0']);

  interface Produced {
    checkpoint: string;
    trainingSeconds: number;
  }

  async function summaryOf(runFolder: string): Promise<{ trainingSeconds: number; wallSeconds: number }> {
    return JSON.parse(await readFile(join(runFolder, 'summary.json'), 'utf8')) as { trainingSeconds: number; wallSeconds: number };
  }

  async function beforeModel(family: Family): Promise<Produced & { runFolder: string | undefined }> {
    if (flags['from-checkpoints']) {
      const checkpoint = join(checkpointsFolder, `${family}-tiny.safetensors`);
      if (!existsSync(checkpoint)) {
        console.error(`shapes-recipes: error: no shipped checkpoint ${checkpoint} (hint: run the recipe without --from-checkpoints and with --ship to create it)`);
        process.exit(1);
      }
      return { checkpoint, trainingSeconds: 0, runFolder: undefined };
    }
    const runFolder = join(out, family, `pretrain-seed${pretrainSeed}`);
    if (!existsSync(join(runFolder, 'summary.json'))) {
      console.log(`\n== ${family}: pretraining (${pretrainSteps[family]} steps, seed ${pretrainSeed})`);
      const resume = existsSync(join(runFolder, 'checkpoints', 'latest.safetensors'));
      await cli.run(
        resume
          ? ['pretrain', '--out', runFolder, '--resume']
          : ['pretrain', '--family', family, '--out', runFolder, '--steps', String(pretrainSteps[family]), '--batch-size', String(batchSize), '--data-count', String(dataCount), '--seed', String(pretrainSeed), '--log-every', '250', '--checkpoint-every', '250'],
      );
    }
    const checkpoint = join(runFolder, 'model.safetensors');
    if (flags.ship) {
      await mkdir(checkpointsFolder, { recursive: true });
      const shipped = join(checkpointsFolder, `${family}-tiny.safetensors`);
      await copyFile(checkpoint, shipped);
      const manifestPath = join(checkpointsFolder, 'manifest.json');
      const manifest = existsSync(manifestPath) ? (JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>) : {};
      manifest[family] = { file: `${family}-tiny.safetensors`, ...(JSON.parse(await readFile(join(runFolder, 'summary.json'), 'utf8')) as Record<string, unknown>) };
      await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    }
    return { checkpoint, trainingSeconds: (await summaryOf(runFolder)).trainingSeconds, runFolder };
  }

  async function postTrain(family: Family, start: string, arm: 'reca' | 'control', seed: number): Promise<Produced & { runFolder: string }> {
    const tag = flags['from-checkpoints'] ? 'shipped' : `pretrain-seed${pretrainSeed}`;
    const runFolder = join(out, family, `${tag}-${arm}-seed${seed}-${posttrainSteps}`);
    if (!existsSync(join(runFolder, 'summary.json'))) {
      const resume = existsSync(join(runFolder, 'checkpoints', 'latest.safetensors'));
      await cli.run(
        resume
          ? ['posttrain', '--out', runFolder, '--resume']
          : [
              'posttrain',
              '--checkpoint',
              start,
              '--arm',
              arm,
              '--out',
              runFolder,
              '--steps',
              String(posttrainSteps),
              '--batch-size',
              String(batchSize),
              '--data-count',
              String(dataCount),
              '--seed',
              String(seed),
              '--log-every',
              '100',
              '--checkpoint-every',
              '200',
              ...(flags['learning-rate'] ? ['--learning-rate', flags['learning-rate']] : []),
            ],
      );
    }
    return { checkpoint: join(runFolder, 'model.safetensors'), trainingSeconds: (await summaryOf(runFolder)).trainingSeconds, runFolder };
  }

  async function evaluate(family: Family, arm: ArmResult['arm'], seed: number, produced: Produced, name: string): Promise<ArmResult> {
    const folder = join(out, family, 'eval', `${name}-g${guidance}-k${imagesPerPrompt}-p${perCategory}`);
    const summaryFile = join(folder, 'eval.json');
    if (!existsSync(summaryFile)) {
      await cli.run(['sample', '--checkpoint', produced.checkpoint, '--prompts', prompts, '--out', join(folder, 'samples'), '--images-per-prompt', String(imagesPerPrompt), '--seed', '0', '--guidance', guidance, '--unconditional', '32']);
      await cli.run(['eval', '--prompts', prompts, '--images', join(folder, 'samples'), '--unconditional', join(folder, 'samples', 'unconditional'), '--summary', summaryFile]);
    }
    const evaluation = JSON.parse(await readFile(summaryFile, 'utf8')) as EvaluationSummary;
    const measurementsFile = join(folder, 'measurements.json');
    if (!existsSync(measurementsFile)) {
      await writeFile(measurementsFile, JSON.stringify(await measureModel(produced.checkpoint, { count: 128, seed: 999 })));
    }
    const measurements = JSON.parse(await readFile(measurementsFile, 'utf8')) as ArmResult['measurements'];
    return { family, arm, seed, checkpoint: produced.checkpoint, evaluation, measurements, trainingSeconds: produced.trainingSeconds };
  }

  const results: ArmResult[] = [];
  const runFolders: string[] = [];
  const familySeconds: Record<string, number> = {};
  for (const family of selectedFamilies) {
    const familyStarted = performance.now();
    const before = await beforeModel(family);
    if (before.runFolder) runFolders.push(before.runFolder);
    console.log(`\n== ${family}: evaluating the before model`);
    results.push(await evaluate(family, 'before', pretrainSeed, before, flags['from-checkpoints'] ? 'before-shipped' : `before-seed${pretrainSeed}`));
    for (const seed of seeds) {
      for (const arm of ['reca', 'control'] as const) {
        console.log(`\n== ${family}: ${arm === 'reca' ? 'RecA' : 'control'} arm, seed ${seed} (${posttrainSteps} steps)`);
        const produced = await postTrain(family, before.checkpoint, arm, seed);
        runFolders.push(produced.runFolder);
        results.push(await evaluate(family, arm === 'reca' ? 'RecA' : 'control', seed, produced, `${flags['from-checkpoints'] ? 'shipped' : `pretrain-seed${pretrainSeed}`}-${arm}-seed${seed}-${posttrainSteps}`));
      }
    }
    familySeconds[family] = (performance.now() - familyStarted) / 1000;
  }

  const seconds = (performance.now() - started) / 1000;
  console.log(`\nHeld-out mini-GenEval (${perCategory} prompts per category × ${imagesPerPrompt} images, guidance ${guidance}); RecA and control: mean of seeds ${seeds.join(', ')}, ${posttrainSteps} steps each`);
  console.log(formatTextTable(tableHeader, selectedFamilies.flatMap((family) => familyRows(results, family, false))));
  console.log(`\nbackend ${backend} (${backendReport.device}); wall time ${seconds.toFixed(0)} s (${Object.entries(familySeconds).map(([family, value]) => `${family} ${value.toFixed(0)} s`).join(', ')})`);
  await writeFile(join(out, 'results.json'), `${JSON.stringify({ backend, device: backendReport.device, seconds, familySeconds, results, commands: cli.commands }, null, 2)}\n`);
  if (flags.report) {
    const reportFolder = resolve(flags.report);
    await writeRecipeReport({
      cli,
      reportFolder,
      results,
      runFolders,
      families: selectedFamilies,
      prompts,
      settings: { pretrainSteps, pretrainSeed, posttrainSteps, seeds, batchSize, dataCount, perCategory, imagesPerPrompt, guidance, fromCheckpoints: flags['from-checkpoints'] === true },
      backend: `${backend} (${backendReport.device})`,
      seconds,
      familySeconds,
      evaluationFolderOf: (result) =>
        join(out, result.family, 'eval', `${result.arm === 'before' ? (flags['from-checkpoints'] ? 'before-shipped' : `before-seed${pretrainSeed}`) : `${flags['from-checkpoints'] ? 'shipped' : `pretrain-seed${pretrainSeed}`}-${result.arm === 'RecA' ? 'reca' : 'control'}-seed${result.seed}-${posttrainSteps}`}-g${guidance}-k${imagesPerPrompt}-p${perCategory}`),
    });
    console.log(`report: ${join(reportFolder, 'README.md')}`);
  }
}

try {
  await main();
} catch (error) {
  console.error(`shapes-recipes: error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
