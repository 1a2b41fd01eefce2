import {
  AUTOREGRESSIVE_ADAPTER,
  createAutoregressiveUmm,
  loadAutoregressiveUmmFromCheckpoint,
  trainVqTokenizer,
} from '@reca/adapter-autoregressive';
import { createDiffusionUmm, type DiffusionUmmConfigOverrides, loadDiffusionUmmFromCheckpoint, trainDiffusionUmmAutoencoder } from '@reca/adapter-diffusion';
import {
  createMaskedAutoregressiveUmm,
  loadMaskedAutoregressiveUmmFromCheckpoint,
  maskedAutoregressiveAdapterName,
  type MaskedAutoregressiveUmmConfigOverrides,
  trainKlAutoencoder,
} from '@reca/adapter-masked-autoregressive';
import type { AutoregressiveUmmOverrides } from '@reca/adapter-autoregressive';
import { reconstructionInstructions, type UnifiedMultimodalModelV1, WordLevelTokenizer } from '@reca/core';
import type { SeededRandom, tf } from '@reca/runtime';
import { shapesWorldVocabulary } from '@reca/shapes-world';
import type { UnderstandingStack } from '@reca/understanding';
import type { ModelFamily } from './model-family.js';

/** A model the CLI works with: the contract plus the shared understanding stack every adapter carries. */
export type RegisteredModel = UnifiedMultimodalModelV1 & { readonly stack: UnderstandingStack };

/** Options of {@link ModelFamilyEntry.create}. */
export interface CreateRegisteredModelOptions {
  /** A preset of the family (`tiny`, `small`, `base`). */
  preset: string;
  /** Seed of the initial weights. */
  seed: number;
  /** Fields replacing the preset's (the adapter's override type; checked by the adapter). */
  overrides: Record<string, unknown>;
}

/** Options of {@link ModelFamilyEntry.trainImageCodec}. */
export interface TrainImageCodecOptions {
  /** float32 [count, size, size, 3] in [0, 1]: training images (the caller keeps them). */
  images: tf.Tensor4D;
  steps: number;
  batchSize: number;
  random: SeededRandom;
  /** Called after each step with its loss. */
  onStep?: (step: number, loss: number) => void;
}

/** What training the image codec did. */
export interface ImageCodecReport {
  /** What was trained, e.g. `VQ tokenizer (8×8 tokens, 256 codes)`. */
  readonly description: string;
  /** Mean reconstruction loss of the last steps. */
  readonly finalLoss: number;
}

/** How the CLI creates, loads and prepares the models of one family. */
export interface ModelFamilyEntry {
  readonly family: ModelFamily;
  /** The adapter package whose checkpoints this entry loads. */
  readonly adapter: string;
  readonly presets: readonly string[];
  /** A fresh model (ShapesWorld's vocabulary, RecA's instruction pool and the null prompt in its tokenizer). */
  create(options: CreateRegisteredModelOptions): RegisteredModel;
  /** A model saved with `saveModelCheckpoint`. */
  load(path: string): Promise<RegisteredModel>;
  /**
   * Trains the frozen image codec the generator reads (VQ tokenizer, KL autoencoder, conv autoencoder) before the
   * generator is trained. Resolves to undefined when the model has none (pixel latents).
   */
  trainImageCodec(model: RegisteredModel, options: TrainImageCodecOptions): Promise<ImageCodecReport | undefined>;
}

const nullPrompt = 'Generate an image.';

/** The tokenizer of CLI-made models: ShapesWorld's words, RecA's instructions and the null prompt. */
export function shapesWorldTokenizer(): WordLevelTokenizer {
  return WordLevelTokenizer.fromTexts([shapesWorldVocabulary.join(' '), ...reconstructionInstructions, nullPrompt]);
}

function tailMean(losses: readonly number[]): number {
  const tail = losses.slice(-Math.max(1, Math.ceil(losses.length / 10)));
  return tail.reduce((sum, value) => sum + value, 0) / tail.length;
}

const diffusionEntry: ModelFamilyEntry = {
  family: 'diffusion',
  adapter: '@reca/adapter-diffusion',
  presets: ['tiny', 'small', 'base'],
  create: ({ preset, seed, overrides }) =>
    createDiffusionUmm({ preset: preset as 'tiny', seed, overrides: overrides as DiffusionUmmConfigOverrides, tokenizer: shapesWorldTokenizer() }),
  load: (path) => loadDiffusionUmmFromCheckpoint(path),
  async trainImageCodec(model, options) {
    const diffusion = model as Awaited<ReturnType<typeof loadDiffusionUmmFromCheckpoint>>;
    if (!diffusion.autoencoder) return undefined;
    const result = await trainDiffusionUmmAutoencoder(diffusion, {
      images: options.images,
      steps: options.steps,
      batchSize: options.batchSize,
      random: options.random,
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    return { description: 'convolutional autoencoder', finalLoss: result.finalLoss };
  },
};

const maskedAutoregressiveEntry: ModelFamilyEntry = {
  family: 'masked-autoregressive',
  adapter: maskedAutoregressiveAdapterName,
  presets: ['tiny', 'small', 'base'],
  create: ({ preset, seed, overrides }) =>
    createMaskedAutoregressiveUmm({ preset: preset as 'tiny', seed, overrides: overrides as MaskedAutoregressiveUmmConfigOverrides, tokenizer: shapesWorldTokenizer() }),
  load: (path) => loadMaskedAutoregressiveUmmFromCheckpoint(path),
  async trainImageCodec(model, options) {
    const autoencoder = (model as Awaited<ReturnType<typeof loadMaskedAutoregressiveUmmFromCheckpoint>>).generator.autoencoder;
    if (!autoencoder) return undefined;
    const result = await trainKlAutoencoder({
      autoencoder,
      images: options.images,
      steps: options.steps,
      batchSize: Math.min(options.batchSize, options.images.shape[0]),
      random: options.random,
      ...(options.onStep ? { onStep: (step: number, losses: { reconstruction: number }) => options.onStep?.(step + 1, losses.reconstruction) } : {}),
    });
    return { description: 'KL autoencoder', finalLoss: tailMean(result.reconstructionLosses) };
  },
};

const autoregressiveEntry: ModelFamilyEntry = {
  family: 'autoregressive',
  adapter: AUTOREGRESSIVE_ADAPTER,
  presets: ['tiny', 'small', 'base'],
  create: ({ preset, seed, overrides }) =>
    createAutoregressiveUmm({ preset: preset as 'tiny', seed, overrides: overrides as AutoregressiveUmmOverrides, tokenizer: shapesWorldTokenizer() }),
  load: (path) => loadAutoregressiveUmmFromCheckpoint(path),
  async trainImageCodec(model, options) {
    const autoregressive = model as Awaited<ReturnType<typeof loadAutoregressiveUmmFromCheckpoint>>;
    const result = await trainVqTokenizer({
      tokenizer: autoregressive.vqTokenizer,
      images: options.images,
      steps: options.steps,
      batchSize: options.batchSize,
      random: options.random,
      ...(options.onStep ? { onStep: (progress: { step: number; reconstruction: number }) => options.onStep?.(progress.step, progress.reconstruction) } : {}),
    });
    const evaluation = result.evaluation;
    return {
      description: `VQ tokenizer (PSNR ${evaluation.psnr.toFixed(1)} dB, ${(evaluation.exactImageFraction * 100).toFixed(0)} % exact images, ${evaluation.codesUsed} codes used)`,
      finalLoss: tailMean(result.reconstructionLosses),
    };
  },
};

/** Every family the CLI supports, by name. */
export const modelRegistry: Readonly<Record<ModelFamily, ModelFamilyEntry>> = {
  diffusion: diffusionEntry,
  'masked-autoregressive': maskedAutoregressiveEntry,
  autoregressive: autoregressiveEntry,
};
