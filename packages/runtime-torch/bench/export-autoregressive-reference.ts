/**
 * Exports the autoregressive adapter's model and reference outputs for the PyTorch twin of its recaStep
 * (bench/pytorch-reca-step-autoregressive.py `--check`), so that the Python model can be shown to compute what the
 * TypeScript one computes.
 *
 * Builds the bench's model (`createAutoregressiveUmm`, preset `tiny` by default, seed 0, the bench's word-level
 * tokenizer) and writes, into `--out` (default: `<tmpdir>/reca-autoregressive-reference-<preset>`):
 *
 * - `weights.safetensors`: every weight of `model.namedWeights()` (VQ tokenizer included) exactly as created, i.e. the
 *   bench's initial model; metadata `config` (the model's `getConfig()`, tokenizer included), `preset`, `backend`.
 * - `reference.safetensors`: `override.output.weight`, N(0, 0.02) draws of `SeededRandom('reference-output')` that
 *   replace the generator's zero-initialised `output.weight` before anything below is computed (with zero output
 *   weights every logit is 0 and the generator check would compare nothing); a fixed batch and what the model computes
 *   for it:
 *   `images` `[B, S, S, 3]` (`makeConformanceImages(B, S, 0)`), `degraded` `[B, m, m, 3]` (RecA's resize bottleneck),
 *   `vq.latents` `[B, g, g, d]`, `vq.indices` int32 `[B, g, g]`, `vq.decoded` `[B, S, S, 3]`,
 *   `understanding.degraded` `[B, (m/p)², W]` and `understanding.full` `[B, (S/p)², W]` (ViT → projector of the
 *   degraded and full-size images), `condition.text_ids`/`condition.text_mask` int32 and `condition.embeddings` `[B, K, W]` (fixed
 *   instructions + the degraded embeddings), `generator.logits` `[B, g², codebook]` and `generator.loss` (next-token
 *   loss on the VQ codes of the images), `caption.ids` int32, `caption.logits` `[B, L, vocab]` and `caption.loss` (the
 *   I2T loss of fixed captions), `gradient.reconstruction.<name>` and `gradient.image-to-text.<name>` (the gradients
 *   of the two micro-batch losses, built exactly as recaStep builds them but with the fixed instructions), and
 *   `after_steps.<name>` (every trainable weight after `--steps` recaSteps of the bench's own batches and training
 *   state). Metadata: `instructions`, `captions`, `steps` (per step: loss, losses, gradientNorm, learningRate),
 *   `batch`, `benchCaption`.
 *
 * Usage: npx tsx bench/export-autoregressive-reference.ts [--preset tiny] [--batch 8] [--steps 3]
 *        [--backend cpu|wasm|torch] [--out DIR]
 * Defaults: preset `tiny`, batch 8, 3 recaSteps, backend `cpu` (the slow float32 reference backend).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAutoregressiveUmm, type AutoregressivePresetName } from '@reca/adapter-autoregressive';
import {
  degradeImages,
  disposeCondition,
  reconstructionInstructions,
  tensorsToSafetensors,
  writeSafetensorsFile,
} from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { scaleGradient, SeededRandom, stopGradient, tf, type BackendName } from '@reca/runtime';
import { activateBenchBackend } from './activate-bench-backend.js';
import { option } from './bench-command-line.js';
import { benchCaptions, benchMicroBatches, formatRecordedSteps, recordRecaSteps } from './bench-reca-batches.js';
import { autoregressiveBenchTokenizer as tokenizer } from './bench-tokenizer.js';

const preset = option('preset', 'tiny') as AutoregressivePresetName;
const batchSize = Number(option('batch', '8'));
const stepCount = Number(option('steps', '3'));
const backend = option('backend', 'cpu') as BackendName;
const outputDirectory = option('out', join(tmpdir(), `reca-autoregressive-reference-${preset}`));

/** Instructions of the fixed condition: short, long and truncated ones (indices into the RecA pool). */
const instructionIndices = [0, 3, 5, 20, 22, 34, 39, 12];
/** Captions of the fixed I2T batch, of different lengths (right padding). */
const captionPool = ['a red square', 'two green circle .', 'a blue triangle', 'image', 'a red blue green square', 'two triangle', 'a circle .', 'generate a green image'];

await activateBenchBackend(backend, { device: 'cpu' });

const model = createAutoregressiveUmm({ preset, tokenizer, seed: 0 });
mkdirSync(outputDirectory, { recursive: true });
const weightsPath = join(outputDirectory, 'weights.safetensors');
await writeSafetensorsFile(weightsPath, await tensorsToSafetensors(model.namedWeights()), {
  config: JSON.stringify(model.getConfig()),
  preset,
  backend: tf.getBackend(),
});

const reference = new Map<string, tf.Tensor>();
const keep = (name: string, tensor: tf.Tensor) => reference.set(name, tensor);
const [codebookSize, generatorWidth] = model.generator.output.weight.shape as [number, number];
const outputWeight = tf.tensor2d(new SeededRandom('reference-output').normalArray(codebookSize * generatorWidth, 0, 0.02), [codebookSize, generatorWidth]);
model.generator.output.weight.assign(outputWeight);
keep('override.output.weight', outputWeight);

const imageSize = model.imageSize;
const images = makeConformanceImages(batchSize, imageSize, 0);
const instructions = Array.from({ length: batchSize }, (_, index) => reconstructionInstructions[instructionIndices[index % instructionIndices.length] as number] as string);
const captions = Array.from({ length: batchSize }, (_, index) => captionPool[index % captionPool.length] as string);
// The fixed batch's forward values.
const degraded = degradeImages(images, { type: 'resize' }, model.understanding.minimumImageSize);
keep('images', images);
keep('degraded', degraded);
const latents = model.vqTokenizer.encodeLatents(images);
keep('vq.latents', latents);
const indices = model.vqTokenizer.encodeToIndices(images);
keep('vq.indices', indices);
keep('vq.decoded', model.vqTokenizer.decodeIndices(indices));
const understandingDegraded = model.doEncodeUnderstanding({ images: degraded, training: false });
keep('understanding.degraded', understandingDegraded);
keep('understanding.full', model.doEncodeUnderstanding({ images, training: false }));
const textBatch = model.stack.conditionEncoder.tokenizeTexts(instructions);
keep('condition.text_ids', tf.tensor2d(textBatch.ids, textBatch.shape, 'int32'));
keep('condition.text_mask', tf.tensor2d(textBatch.attentionMask, textBatch.shape, 'int32'));
const noDrops = instructions.map(() => false);
const condition = model.doBuildCondition({ texts: instructions, understandingEmbeddings: understandingDegraded, dropText: noDrops, dropUnderstanding: noDrops, training: false });
keep('condition.embeddings', condition.embeddings);
const tokens = tf.reshape(indices, [batchSize, model.generator.imageTokens]) as tf.Tensor2D;
keep('generator.logits', model.generator.imageLogits(condition, tokens));
const generation = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(0), adapterOptions: undefined });
keep('generator.loss', generation.loss);
const captionBatch = model.stack.captionDecoder.tokenizeCaptions(captions);
const captionIds = tf.tensor2d(captionBatch.ids, captionBatch.shape, 'int32');
keep('caption.ids', captionIds);
keep('caption.logits', model.stack.captionDecoder.logits(reference.get('understanding.full') as tf.Tensor3D, captionIds));
keep('caption.loss', model.doUnderstandingLoss({ images, captions, random: new SeededRandom(0) }).loss);

// The gradients of the two micro-batch losses, built as recaStep's computeMicroBatchGradients builds them.
const parameters = model.trainableVariables();
const referenceNameOf = new Map(parameters.map(([name, variable]) => [variable.name, name]));
const variables = parameters.map(([, variable]) => variable);
const policy = model.understanding.gradientPolicy;
const reconstruction = tf.variableGrads(() => {
  const embeddings = model.doEncodeUnderstanding({ images: degraded, training: true });
  const policed = policy.type === 'stop' ? stopGradient(embeddings) : policy.scale === 1 ? embeddings : scaleGradient(embeddings, policy.scale);
  const built = model.doBuildCondition({ texts: instructions, understandingEmbeddings: policed, dropText: noDrops, dropUnderstanding: noDrops, training: true });
  const loss = model.doGenerationLoss({ condition: built, targetImages: images, random: new SeededRandom(0), adapterOptions: undefined }).loss;
  disposeCondition(built);
  return loss;
}, variables);
const imageToText = tf.variableGrads(() => model.doUnderstandingLoss({ images, captions, random: new SeededRandom(0) }).loss, variables);
for (const [part, result] of [['reconstruction', reconstruction], ['image-to-text', imageToText]] as const) {
  for (const [variableName, gradient] of Object.entries(result.grads)) keep(`gradient.${part}.${referenceNameOf.get(variableName) ?? variableName}`, gradient);
}

// recaStep on the bench's own batches and training state (bench/bench-reca-batches.ts).
const { batches } = benchMicroBatches('autoregressive', imageSize, batchSize);
const steps = await recordRecaSteps(model, batches, stepCount);
for (const [name, variable] of model.trainableVariables()) keep(`after_steps.${name}`, variable);

const referencePath = join(outputDirectory, 'reference.safetensors');
await writeSafetensorsFile(referencePath, await tensorsToSafetensors(reference), {
  instructions: JSON.stringify(instructions),
  captions: JSON.stringify(captions),
  benchCaption: benchCaptions('autoregressive', 1)[0] as string,
  batch: String(batchSize),
  steps: JSON.stringify(steps),
  backend: tf.getBackend(),
});
console.log(`backend ${tf.getBackend()}, preset ${preset}, batch ${batchSize}`);
console.log(`wrote ${weightsPath} (${Object.keys(model.namedWeights()).length} weights) and ${referencePath} (${reference.size} tensors)`);
console.log(formatRecordedSteps(steps));
process.exit(0);
