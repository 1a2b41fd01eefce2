/**
 * Exports what bench/pytorch-reca-step-diffusion.py needs to prove that its PyTorch model is the diffusion adapter's
 * model: the weights, fixed inputs, and the outputs and gradients the TypeScript model computes from them.
 *
 * Writes into `--out` (default `runs/diffusion-reference-<preset>`, git-ignored):
 * - `model.safetensors`: `model.namedWeights()` of `createDiffusionUmm({ preset, seed: 0 })` (float32, every name).
 *   The PyTorch timing mode can start from these (`--weights`).
 * - `perturbed.safetensors`: the same weights after adding N(0, `--perturbation`²) to every trainable denoiser
 *   parameter (seeded). At seed 0 the DiT is AdaLN-Zero (its prediction is exactly 0), which would make the checks
 *   trivial; every check below reads these weights.
 * - `reference.safetensors`, float32 unless noted:
 *   - `images` `[batch, size, size, 3]`: `makeConformanceImages(batch, size, 0)` (the bench's batch),
 *   - `degraded` `[batch, s, s, 3]`: the RecA bottleneck (area resize to the understanding minimum size),
 *   - `understanding` `[batch, tokens, embeddingWidth]`: `doEncodeUnderstanding(degraded)`,
 *   - `condition.embeddings` `[batch, length, conditionWidth]`, `condition.mask` `[batch, length]`: `doBuildCondition`
 *     of the fixed texts and dropText flags of `reference.json`,
 *   - `noise` `[batch, side, side, channels]`, `timesteps` `[batch]`: the draws of `SeededRandom(lossSeed)` exactly as
 *     `doGenerationLoss` makes them (normals, then uniforms),
 *   - `latents` (x0), `noisy` (x_t), `velocity` (the DiT's prediction for `noisy`, `timesteps`, the condition), all
 *     `[batch, side, side, channels]`,
 *   - `loss` `[]`: `doGenerationLoss` with `random = SeededRandom(lossSeed)`,
 *   - `grad.<name>`: the gradient of that loss (condition built inside the tape, understanding frozen) for every
 *     trainable variable,
 *   - `after.<name>`: every trainable variable after `--steps` real `recaStep`s from the perturbed weights (state seed
 *     0, AdamW at learning rate 1e-4, the model's RecA defaults: the bench's training state),
 *   - `exp_avg.<name>`, `exp_avg_sq.<name>`: AdamW's moments after those steps.
 * - `reference.json`: the model config (`getConfig()`, with the tokenizer's words), the fixed texts and flags, the
 *   seeds, the trainable names, and each recaStep's loss, gradient norm and learning rate.
 *
 * Usage: npx tsx bench/export-diffusion-reference.ts [--preset tiny|small|base] [--reference-model openuni|bagel]
 *        [--batch 8] [--steps 3] [--perturbation 0.02] [--backend cpu|wasm] [--out runs/diffusion-reference-tiny]
 * Defaults: preset `tiny` as the preset defines it (`--reference-model bagel`: joint attention and logit-normal
 * timesteps, written to `runs/diffusion-reference-<preset>-bagel`), batch 8, 3 recaSteps, perturbation 0.02 (the DiT
 * embedders' N(0, 0.02²) scale), backend `cpu` (the reference backend).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDiffusionUmm, type DiffusionPresetName, type DiffusionUmm, diffusionReferenceOverrides } from '@reca/adapter-diffusion';
import { createRecaTrainingState, degradeImages, reconstructionInstructions, recaStep, tensorsToSafetensors, writeSafetensorsFile } from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { type BackendName, SeededRandom, tf } from '@reca/runtime';
import { activateBenchBackend } from './activate-bench-backend.js';
import { option } from './bench-command-line.js';

const preset = option('preset', 'tiny') as DiffusionPresetName;
const referenceModel = option('reference-model', '') as '' | keyof typeof diffusionReferenceOverrides;
const batchSize = Number(option('batch', '8'));
const steps = Number(option('steps', '3'));
const perturbation = Number(option('perturbation', '0.02'));
const backend = option('backend', 'cpu') as BackendName;
const outDirectory = option('out', join('runs', `diffusion-reference-${preset}${referenceModel === '' ? '' : `-${referenceModel}`}`));
/** Seed of the perturbation of the denoiser's weights. */
const perturbationSeed = 7;
/** Seed of the `random` given to `doGenerationLoss` (noise, then timesteps). */
const lossSeed = 12345;
/** The bench's training state: seed 0, AdamW at 1e-4, the model's RecA defaults otherwise. */
const learningRate = 1e-4;

/** Builds the model of the bench (seed 0), with a reference model's overrides when one is given. */
function createModel(): DiffusionUmm {
  if (referenceModel !== '' && !(referenceModel in diffusionReferenceOverrides)) throw new Error(`--reference-model: '${referenceModel}' is not openuni or bagel`);
  return createDiffusionUmm({ preset, seed: 0, overrides: referenceModel === '' ? undefined : diffusionReferenceOverrides[referenceModel] });
}

/** Adds N(0, standardDeviation²) from `SeededRandom(seed)` to every trainable denoiser parameter, in parameter order. */
function perturbDenoiser(model: DiffusionUmm, standardDeviation: number, seed: number): void {
  const random = new SeededRandom(seed);
  for (const [, variable] of model.denoiser.namedParameters({ trainableOnly: true })) {
    tf.tidy(() => variable.assign(tf.add(variable, random.normalTensor([...variable.shape], 0, standardDeviation))));
  }
}

/** Copies of the current weights (the model keeps its variables). */
function weightSnapshot(model: DiffusionUmm): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(model.namedWeights()).map(([name, tensor]) => [name, tensor.clone()]));
}

async function writeTensors(path: string, tensors: Record<string, tf.Tensor>, metadata: Record<string, string> = {}): Promise<void> {
  await writeSafetensorsFile(path, await tensorsToSafetensors(tensors), metadata);
}

const activeDevice = await activateBenchBackend(backend, { device: 'cpu' });
mkdirSync(outDirectory, { recursive: true });
const model = createModel();
const config = model.getConfig();
await writeTensors(join(outDirectory, 'model.safetensors'), weightSnapshot(model), { format: 'pt', preset, seed: '0' });

perturbDenoiser(model, perturbation, perturbationSeed);
const perturbed = weightSnapshot(model);
await writeTensors(join(outDirectory, 'perturbed.safetensors'), perturbed, { format: 'pt', preset, seed: '0', perturbation: String(perturbation) });

// Fixed inputs: the bench's images; the pool's longest instruction (longer than the tiny preset's 16 tokens, so it is
// cut), then instructions cycled from the pool; the second text dropped (it becomes the null prompt).
const images = makeConformanceImages(batchSize, model.imageSize, 0);
const tokenCount = (text: string) => model.tokenizer.encode(text).length;
const longest = reconstructionInstructions.reduce((best, text) => (tokenCount(text) > tokenCount(best) ? text : best));
const texts = Array.from({ length: batchSize }, (_, index) => (index === 0 ? longest : (reconstructionInstructions[index % reconstructionInstructions.length] as string)));
const dropText = texts.map((_, index) => index === 1);
const degraded = degradeImages(images, { type: 'resize' }, model.understanding.minimumImageSize);
const understanding = tf.tidy(() => model.doEncodeUnderstanding({ images: degraded, training: true }));
const buildCondition = () => model.doBuildCondition({ texts, understandingEmbeddings: understanding, dropText, dropUnderstanding: undefined, training: true });
const condition = buildCondition();

// The draws doGenerationLoss makes from its random: latent normals, then one timestep per image.
const latentSize = model.latentSize;
const channels = model.latentSpace.channels;
const draws = new SeededRandom(lossSeed);
const noise = tf.tensor4d(draws.normalArray(batchSize * latentSize * latentSize * channels), [batchSize, latentSize, latentSize, channels]);
const timesteps = tf.tensor1d(model.schedule.sampleTimesteps(batchSize, draws));
const latents = model.latentSpace.encode(images);
const noisy = model.schedule.addNoise(latents, noise, timesteps) as tf.Tensor4D;
const velocity = model.denoiser.forward(noisy, timesteps, condition);
const generationLoss = () => {
  const built = buildCondition();
  const result = model.doGenerationLoss({ condition: built, targetImages: images, random: new SeededRandom(lossSeed), adapterOptions: undefined });
  tf.dispose([built.embeddings, built.mask]);
  return result.loss;
};
const trainable = model.trainableVariables();
const { value: loss, grads } = tf.variableGrads(generationLoss, trainable.map(([, variable]) => variable));
const nameOf = new Map(trainable.map(([name, variable]) => [variable.name, name]));
const gradients = Object.fromEntries(Object.entries(grads).map(([variableName, gradient]) => [`grad.${nameOf.get(variableName) ?? variableName}`, gradient]));

// The real recaStep from the perturbed weights, with the bench's training state.
const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate } } });
const stepResults: Array<{ step: number; loss: number; gradientNorm: number; learningRate: number; clipped: boolean }> = [];
for (let index = 0; index < steps; index++) {
  const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
  stepResults.push({ step: result.step, loss: result.loss, gradientNorm: result.gradientNorm, learningRate: result.learningRate, clipped: result.clipped });
  console.log(`recaStep ${result.step}: loss ${result.loss.toFixed(6)}, gradient norm ${result.gradientNorm.toFixed(6)}, learning rate ${result.learningRate}`);
}
const after = Object.fromEntries(model.trainableVariables().map(([name, variable]) => [`after.${name}`, variable.clone() as tf.Tensor]));
// AdamW's moments after the steps, PyTorch's state names: `exp_avg.<name>`, `exp_avg_sq.<name>`.
const moments = Object.fromEntries(Object.entries(state.optimizer.getState()).map(([name, tensor]) => [name, tensor.clone()]));

await writeTensors(join(outDirectory, 'reference.safetensors'), {
  images,
  degraded,
  understanding,
  'condition.embeddings': condition.embeddings,
  'condition.mask': condition.mask,
  noise,
  timesteps,
  latents,
  noisy,
  velocity,
  loss,
  ...gradients,
  ...after,
  ...moments,
});
const reference = {
  preset,
  backend,
  device: activeDevice,
  batchSize,
  config,
  texts,
  dropText,
  seeds: { model: 0, perturbation: perturbationSeed, loss: lossSeed, state: 0, images: 0 },
  perturbation,
  learningRate,
  trainableNames: trainable.map(([name]) => name),
  weightNames: Object.keys(perturbed),
  loss: (await loss.data())[0],
  steps: stepResults,
};
writeFileSync(join(outDirectory, 'reference.json'), `${JSON.stringify(reference, null, 2)}\n`);
console.log(
  `wrote ${outDirectory}: ${Object.keys(perturbed).length} weights (${trainable.length} trainable), loss ${reference.loss}, backend ${backend} (${activeDevice})`,
);
state.dispose();
model.dispose();
process.exit(0);
