/**
 * Exports the masked-autoregressive adapter's model and reference outputs for the PyTorch twin of its recaStep
 * (bench/pytorch-reca-step-masked-autoregressive.py `--check`), so that the Python model can be shown to compute what
 * the TypeScript one computes.
 *
 * Builds the bench's model (`createMaskedAutoregressiveUmm`, preset `tiny` by default, seed 0, the adapter's default
 * tokenizer), perturbs its diffusion head (every trainable `mar.diffloss.*` weight + N(0, p²) draws of
 * `SeededRandom(7)`, p = `--perturbation`, in parameter order: the head's AdaLN modulations and output layer start at
 * zero, so without this its output, its variance branch and most of its gradients would be 0 and the check would
 * compare nothing), and
 * writes into `--out` (default: `<tmpdir>/reca-masked-autoregressive-reference-<preset>`):
 *
 * - `weights.safetensors`: every weight of `model.namedWeights()` (frozen autoencoder included) after the
 *   perturbation; metadata `config` (the model's `getConfig()`, tokenizer included), `preset`, `backend`.
 * - `reference.safetensors`: a fixed batch and what the model computes for it:
 *   `images` `[B, S, S, 3]` (`makeConformanceImages(B, S, 0)`), `degraded` `[B, S/2, S/2, 3]` (RecA's resize
 *   bottleneck), `autoencoder.mean` `[B, g, g, c]` (posterior mean, scaled), `autoencoder.sampled` (a posterior sample
 *   with the normals of `SeededRandom(11)`), `autoencoder.decoded` `[B, S, S, 3]` (decoder of the mean),
 *   `tokens` `[B, L, c]` (tokens of the mean), `understanding.degraded` and `understanding.full` `[B, L + buffers, W]`
 *   (Harmon's understanding features: the MAR encoder with nothing masked + `proj_in`, of the degraded and full-size
 *   images), `condition.embeddings` `[B, K, W]` (fixed instructions + the degraded features), `mar.visible` int32
 *   `[B, V]` (the visible tokens of `sampleOrders(B, L, SeededRandom(21))` at mask ratio 0.75), `mar.mask` `[B, L]`,
 *   `mar.encoded` `[B, buffers + V, We]`, `mar.fused` (after Harmon's condition path), `mar.conditions` `[B, L, Wd]`
 *   (the MAR decoder), `head.timesteps` int32 and `head.noise` (the draws of `DiffusionLossHead.loss` from
 *   `SeededRandom(31)`), `head.row_loss` `[B·L·m]` and `head.loss` (the diffusion loss of `tokens` given
 *   `mar.conditions` and `mar.mask`), `generation.loss` (`doGenerationLoss` end to end with `SeededRandom(41)`),
 *   `caption.ids` int32, `caption.logits` and `caption.loss` (the I2T loss of fixed captions),
 *   `gradient.reconstruction.<name>` and `gradient.image-to-text.<name>` (the gradients of the two micro-batch losses,
 *   built as recaStep builds them with the fixed instructions, no condition dropout and `SeededRandom(41)`), and
 *   `after_steps.<name>` (every trainable weight after `--steps` recaSteps of the bench's own batches and training
 *   state). Metadata: `instructions`, `captions`, `benchCaptions`, `maskRatio`, `batch`, `steps` (per step: loss,
 *   losses, gradientNorm, learningRate).
 *
 * With `--perturbation 0` the weights are the bench's initial model: the twin's timing mode started from them
 * (`--weights DIR/weights.safetensors --draws seeded`) reproduces the TypeScript bench's losses.
 *
 * Usage: npx tsx bench/export-masked-autoregressive-reference.ts [--preset tiny] [--batch 8] [--steps 3]
 *        [--perturbation 0.02] [--backend cpu|wasm|torch] [--out DIR]
 * Defaults: preset `tiny`, batch 8, 3 recaSteps, perturbation 0.02, backend `cpu` (the slow float32 reference backend).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMaskedAutoregressiveUmm, randomMasking, sampleOrders, type MaskedAutoregressivePresetName } from '@reca/adapter-masked-autoregressive';
import {
  degradeImages,
  disposeCondition,
  reconstructionInstructions,
  tensorsToSafetensors,
  writeSafetensorsFile,
} from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { scaleGradient, SeededRandom, tf, type BackendName } from '@reca/runtime';
import { activateBenchBackend } from './activate-bench-backend.js';
import { option } from './bench-command-line.js';
import { benchCaptions, benchMicroBatches, formatRecordedSteps, recordRecaSteps } from './bench-reca-batches.js';

const preset = option('preset', 'tiny') as MaskedAutoregressivePresetName;
const batchSize = Number(option('batch', '8'));
const stepCount = Number(option('steps', '3'));
const backend = option('backend', 'cpu') as BackendName;
const outputDirectory = option('out', join(tmpdir(), `reca-masked-autoregressive-reference-${preset}`));

/** Seeds of the fixed draws (see the header). */
const seeds = { perturbation: 7, latentSample: 11, orders: 21, headLoss: 31, generationLoss: 41 } as const;
/** Standard deviation of the diffusion head's perturbation (0: the bench's initial model, for timing with `--weights`). */
const perturbation = Number(option('perturbation', '0.02'));
/** The fixed masking ratio of the MAR checks (⌈0.75 L⌉ tokens masked). */
const maskRatio = 0.75;
/** Instructions of the fixed condition: short, long and truncated ones (indices into the RecA pool). */
const instructionIndices = [0, 3, 5, 20, 22, 34, 39, 12];
/** Captions of the fixed I2T batch, of different lengths (right padding). */
const captionPool = ['a red square', 'two green circles', 'a blue triangle', 'image', 'a red and blue square', 'three triangles', 'a circle', 'generate a yellow shape'];

await activateBenchBackend(backend, { device: 'cpu' });

const model = createMaskedAutoregressiveUmm({ preset, seed: 0 });
const generator = model.generator;
const head = generator.mar.diffusionHead;
const perturbationRandom = new SeededRandom(seeds.perturbation);
for (const [, variable] of perturbation === 0 ? [] : head.namedParameters({ trainableOnly: true })) {
  tf.tidy(() => variable.assign(tf.add(variable, perturbationRandom.normalTensor([...variable.shape], 0, perturbation))));
}
mkdirSync(outputDirectory, { recursive: true });
const weightsPath = join(outputDirectory, 'weights.safetensors');
await writeSafetensorsFile(weightsPath, await tensorsToSafetensors(model.namedWeights()), {
  config: JSON.stringify(model.getConfig()),
  preset,
  backend: tf.getBackend(),
});

const reference = new Map<string, tf.Tensor>();
const keep = (name: string, tensor: tf.Tensor) => reference.set(name, tensor);
const imageSize = model.imageSize;
const length = generator.sequenceLength;
const images = makeConformanceImages(batchSize, imageSize, 0);
const instructions = Array.from({ length: batchSize }, (_, index) => reconstructionInstructions[instructionIndices[index % instructionIndices.length] as number] as string);
const captions = Array.from({ length: batchSize }, (_, index) => captionPool[index % captionPool.length] as string);
const noDrops = instructions.map(() => false);

// The fixed batch's forward values.
const degraded = degradeImages(images, { type: 'resize' }, model.understanding.minimumImageSize);
keep('images', images);
keep('degraded', degraded);
const codec = generator.autoencoder;
if (codec === null) throw new Error('the exporter expects a KL autoencoder tokenizer');
const mean = codec.encode(images, { sample: false });
keep('autoencoder.mean', mean);
keep('autoencoder.sampled', codec.encode(images, { sample: true, random: new SeededRandom(seeds.latentSample) }));
keep('autoencoder.decoded', codec.decode(mean));
const tokens = generator.imagesToTokens(images);
keep('tokens', tokens);
const understandingDegraded = model.doEncodeUnderstanding({ images: degraded, training: false });
keep('understanding.degraded', understandingDegraded);
const understandingFull = model.doEncodeUnderstanding({ images, training: false });
keep('understanding.full', understandingFull);
const condition = model.doBuildCondition({ texts: instructions, understandingEmbeddings: understandingDegraded, dropText: noDrops, dropUnderstanding: noDrops, training: false });
keep('condition.embeddings', condition.embeddings);

// MAR encoder/decoder for a fixed mask.
const orders = sampleOrders(batchSize, length, new SeededRandom(seeds.orders));
const { mask, maskedCount } = randomMasking(orders, maskRatio);
const visible = orders.map((order) => order.slice(maskedCount).sort((first, second) => first - second));
keep('mar.visible', tf.tensor2d(visible.flat(), [batchSize, length - maskedCount], 'int32'));
const maskTensor = tf.tensor2d(mask, [batchSize, length]);
keep('mar.mask', maskTensor);
const encoded = generator.mar.encode(tokens, visible);
keep('mar.encoded', encoded);
const fused = generator.fuseCondition(encoded, condition);
keep('mar.fused', fused);
const conditions = generator.mar.decode(fused, visible);
keep('mar.conditions', conditions);

// The diffusion head's loss, and its draws (DiffusionLossHead.loss: timesteps, then noise).
const multiplier = model.config.diffusionHead.batchMultiplier;
const rows = batchSize * length * multiplier;
const channels = generator.tokenChannels;
const headDraws = new SeededRandom(seeds.headLoss);
const timesteps = Int32Array.from({ length: rows }, () => headDraws.integer(head.schedule.numTimesteps));
const headNoise = headDraws.normalTensor([rows, channels]) as tf.Tensor2D;
keep('head.timesteps', tf.tensor1d(timesteps, 'int32'));
keep('head.noise', headNoise);
const repeatRows = (tensor: tf.Tensor, width: number) => tf.tile(tf.reshape(tensor, [batchSize * length, width]), [multiplier, 1]) as tf.Tensor2D;
keep('head.row_loss', head.rowLoss(repeatRows(tokens, channels), repeatRows(conditions, conditions.shape[2]), timesteps, headNoise));
keep('head.loss', head.loss({ target: tokens, condition: conditions, mask: maskTensor, batchMultiplier: multiplier, random: new SeededRandom(seeds.headLoss) }));
keep('generation.loss', model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(seeds.generationLoss), adapterOptions: undefined }).loss);

// The caption decoder.
const captionBatch = model.stack.captionDecoder.tokenizeCaptions(captions);
const captionIds = tf.tensor2d(captionBatch.ids, captionBatch.shape, 'int32');
keep('caption.ids', captionIds);
keep('caption.logits', model.stack.captionDecoder.logits(understandingFull, captionIds));
keep('caption.loss', model.doUnderstandingLoss({ images, captions, random: new SeededRandom(0) }).loss);

// The gradients of the two micro-batch losses, built as recaStep's computeMicroBatchGradients builds them.
const parameters = model.trainableVariables();
const referenceNameOf = new Map(parameters.map(([name, variable]) => [variable.name, name]));
const variables = parameters.map(([, variable]) => variable);
const policy = model.understanding.gradientPolicy;
if (policy.type !== 'scale') throw new Error(`the exporter expects the 'scale' gradient policy of 'mar-encoder' understanding, got '${policy.type}'`);
const reconstruction = tf.variableGrads(() => {
  const embeddings = model.doEncodeUnderstanding({ images: degraded, training: true });
  const policed = policy.scale === 1 ? embeddings : (scaleGradient(embeddings, policy.scale) as tf.Tensor3D);
  const built = model.doBuildCondition({ texts: instructions, understandingEmbeddings: policed, dropText: noDrops, dropUnderstanding: noDrops, training: true });
  const loss = model.doGenerationLoss({ condition: built, targetImages: images, random: new SeededRandom(seeds.generationLoss), adapterOptions: undefined }).loss;
  disposeCondition(built);
  return loss;
}, variables);
const imageToText = tf.variableGrads(() => model.doUnderstandingLoss({ images, captions, random: new SeededRandom(0) }).loss, variables);
for (const [part, result] of [['reconstruction', reconstruction], ['image-to-text', imageToText]] as const) {
  for (const [variableName, gradient] of Object.entries(result.grads)) keep(`gradient.${part}.${referenceNameOf.get(variableName) ?? variableName}`, gradient);
}

// recaStep on the bench's own batches and training state (bench/bench-reca-batches.ts).
const { batches } = benchMicroBatches('masked-autoregressive', imageSize, batchSize);
const steps = await recordRecaSteps(model, batches, stepCount);
for (const [name, variable] of model.trainableVariables()) keep(`after_steps.${name}`, variable);

const referencePath = join(outputDirectory, 'reference.safetensors');
await writeSafetensorsFile(referencePath, await tensorsToSafetensors(reference), {
  instructions: JSON.stringify(instructions),
  captions: JSON.stringify(captions),
  benchCaptions: JSON.stringify(benchCaptions('masked-autoregressive', batchSize)),
  maskRatio: String(maskRatio),
  perturbation: String(perturbation),
  seeds: JSON.stringify(seeds),
  batch: String(batchSize),
  steps: JSON.stringify(steps),
  backend: tf.getBackend(),
});
console.log(`backend ${tf.getBackend()}, preset ${preset}, batch ${batchSize}`);
console.log(`wrote ${weightsPath} (${Object.keys(model.namedWeights()).length} weights) and ${referencePath} (${reference.size} tensors)`);
console.log(formatRecordedSteps(steps));
process.exit(0);
