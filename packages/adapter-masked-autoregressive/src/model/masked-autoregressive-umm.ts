import {
  type NamedVariable,
  reconstructionInstructions,
  type TextTokenizer,
  type UnifiedModelV1AlignmentLossOptions,
  type UnifiedModelV1BuildConditionOptions,
  type UnifiedModelV1Condition,
  type UnifiedModelV1EncodeUnderstandingOptions,
  type UnifiedModelV1GenerationLossOptions,
  type UnifiedModelV1LossResult,
  type UnifiedModelV1RecaDefaults,
  type UnifiedModelV1SampleOptions,
  type UnifiedModelV1SampleResult,
  type UnifiedModelV1UnderstandingInfo,
  type UnifiedModelV1UnderstandingLossOptions,
  type UnifiedModelV1Warning,
  type UnifiedMultimodalModelV1,
  WordLevelTokenizer,
} from '@reca/core';
import { contrastiveAlignmentLoss, UnderstandingStack } from '@reca/understanding';
import { InvalidArgumentError, resizeImages, SeededRandom, ShapeMismatchError, tf, WeightNamesMismatchError } from '@reca/runtime';
import { MaskRatioSampler } from '../masking/mask-ratio-sampler.js';
import { randomMasking } from '../masking/random-masking.js';
import { sampleOrders } from '../masking/sample-orders.js';
import { DdimSampler } from '../samplers/ddim-sampler.js';
import { DdpmSampler } from '../samplers/ddpm-sampler.js';
import type { TokenSampler } from '../samplers/token-denoiser.js';
import { parseAdapterOptions } from './masked-autoregressive-adapter-options.js';
import { MaskedAutoregressiveGenerator } from './masked-autoregressive-generator.js';
import { type MaskedAutoregressiveUmmConfig, validateMaskedAutoregressiveUmmConfig } from './masked-autoregressive-umm-config.js';
import type { MaskedAutoregressivePresetName } from './preset-name.js';
import { sampleMaskedAutoregressiveTokens } from './sample-masked-autoregressive.js';

/** The adapter package name (what checkpoints record). */
export const maskedAutoregressiveAdapterName = '@reca/adapter-masked-autoregressive';

/** Options of the {@link MaskedAutoregressiveUmm} constructor. */
export interface MaskedAutoregressiveUmmOptions {
  /** A complete configuration (`resolveMaskedAutoregressiveUmmConfig`). */
  config: MaskedAutoregressiveUmmConfig;
  /** Reads prompts, instructions and captions; needs a pad token. */
  tokenizer: TextTokenizer;
  /** Seed of the initial weights (the stack draws first, then the generator). */
  seed: number;
  /** The preset the configuration came from, for `modelId`. */
  preset?: MaskedAutoregressivePresetName;
}

/** The `getConfig()` document: everything that recreates the model. */
export interface MaskedAutoregressiveUmmSavedConfig extends Record<string, unknown> {
  config: MaskedAutoregressiveUmmConfig;
  seed: number;
  preset: MaskedAutoregressivePresetName | null;
  /** `{ type: 'word-level', json }` (a `WordLevelTokenizer.toJSON()`), or just the type for other tokenizers. */
  tokenizer: { type: string; json?: unknown };
}

/**
 * A Harmon-style unified model with a MAR generator (DESIGN.md §1, digest §2.2):
 *
 * - **Image tokens**: a frozen KL autoencoder's scaled latents (or raw pixel patches), patchified MAR-style.
 * - **Generation**: MAR — random-order masking with one ratio per batch from a truncated normal on [0.7, 1], the MAE
 *   encoder over the visible tokens and buffers, Harmon's condition path (`proj_in` → fusion layers reading the
 *   condition → `proj_out`, added residually), the MAE decoder, and the diffusion loss head (SimpleMLPAdaLN, cosine
 *   DDPM, ε-prediction with learned σ, tokens ×4) averaged over masked tokens.
 * - **Understanding** (`config.understanding`): `'mar-encoder'` — Harmon's: the MAR encoder with nothing masked over
 *   the clean latents, then `proj_in`; or `'vit'` — the shared stack's ViT + projector.
 * - **Text and I2T**: the shared `UnderstandingStack` (`text.*` condition encoder, `understanding.caption_decoder.*`).
 *
 * Parameter names: `vae.*` (frozen), `mar.*` (MAR's names), `proj_in.*`, `llm.*`, `proj_out.*`, `text.*`,
 * `understanding.caption_decoder.*`, and with `'vit'` `understanding.vit.*`, `understanding.projector.*`.
 * Randomness of losses comes only from the `random` argument; sampling only from the seed.
 */
export class MaskedAutoregressiveUmm implements UnifiedMultimodalModelV1 {
  readonly specificationVersion = 'v1' as const;
  readonly family = 'masked-autoregressive' as const;
  readonly adapter = maskedAutoregressiveAdapterName;
  readonly modelId: string;
  readonly imageSize: number;
  readonly tokenizer: TextTokenizer;
  readonly config: MaskedAutoregressiveUmmConfig;
  readonly seed: number;
  readonly preset: MaskedAutoregressivePresetName | null;
  readonly stack: UnderstandingStack;
  readonly generator: MaskedAutoregressiveGenerator;
  readonly maskRatioSampler: MaskRatioSampler;

  constructor(options: MaskedAutoregressiveUmmOptions) {
    const { config, tokenizer, seed, preset } = options;
    validateMaskedAutoregressiveUmmConfig(config);
    this.config = JSON.parse(JSON.stringify(config)) as MaskedAutoregressiveUmmConfig;
    this.tokenizer = tokenizer;
    this.seed = seed;
    this.preset = preset ?? null;
    this.imageSize = config.imageSize;
    const random = new SeededRandom(seed);
    this.stack = new UnderstandingStack({ config: config.understandingStack, tokenizer, random: random.fork('understanding') });
    this.generator = new MaskedAutoregressiveGenerator(config, this.stack.conditionWidth, random.fork('generator'));
    this.maskRatioSampler = new MaskRatioSampler(config.maskRatio);
    this.modelId = `mar-${preset ?? 'custom'}-${config.imageSize}px-${config.understanding}`;
  }

  /** The contract's understanding description. */
  get understanding(): UnifiedModelV1UnderstandingInfo {
    if (this.config.understanding === 'vit') return this.stack.understandingInfo;
    return {
      embeddingWidth: this.stack.config.embeddingWidth,
      imageSize: this.imageSize,
      minimumImageSize: this.config.understandingMinimumImageSize,
      gradientPolicy: this.stack.gradientPolicy,
      sharedWithGeneration: this.stack.mode === 'shared',
      parameterPrefixes: ['understanding.'],
    };
  }

  get nullPrompt(): string {
    return this.stack.nullPrompt;
  }

  /**
   * Harmon's RecA settings: prompt → "Generate an image." with p = 0.1 (the image kept), and, while understanding
   * is shared and trained, I2T mixed 1:1 (reconstruction only when it is frozen); T2I weight 0.
   */
  get recaDefaults(): UnifiedModelV1RecaDefaults {
    return {
      conditionDropout: { type: 'null-prompt', probability: 0.1 },
      lossWeights: { reconstruction: 1, imageToText: this.stack.mode === 'shared' ? 1 : 0, textToImage: 0 },
    };
  }

  /**
   * Understanding embeddings. `'mar-encoder'`: images of any size are resized (bilinear) to `imageSize`, encoded by
   * the frozen tokenizer (posterior mean, no gradient into it), run through the MAR encoder with nothing masked and
   * `proj_in` → `[batch, sequenceLength + bufferSize, embeddingWidth]` (buffers last, as Harmon). `'vit'`: the stack.
   * No gradient policy is applied here (recaStep does it).
   */
  doEncodeUnderstanding(options: UnifiedModelV1EncodeUnderstandingOptions): tf.Tensor3D {
    const { images } = options;
    if (images.rank !== 4 || images.shape[3] !== 3 || images.shape[1] !== images.shape[2]) {
      throw new ShapeMismatchError({ tensorName: 'images', expected: [null, null, null, 3], actual: images.shape, context: `${this.modelId} doEncodeUnderstanding (square RGB images)` });
    }
    if (this.config.understanding === 'vit') return this.stack.encodeUnderstanding(options);
    return tf.tidy(() => {
      const native = images.shape[1] === this.imageSize ? images : resizeImages(images, { height: this.imageSize, width: this.imageSize }, 'bilinear');
      return this.generator.understandingFeatures(this.generator.imagesToTokens(native as tf.Tensor4D));
    });
  }

  doBuildCondition(options: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition {
    const embeddings = options.understandingEmbeddings;
    if (embeddings && (embeddings.rank !== 3 || embeddings.shape[0] !== options.texts.length || embeddings.shape[2] !== this.stack.config.embeddingWidth)) {
      throw new ShapeMismatchError({
        tensorName: 'understandingEmbeddings',
        expected: [options.texts.length, null, this.stack.config.embeddingWidth],
        actual: embeddings.shape,
        context: `${this.modelId} doBuildCondition`,
      });
    }
    return this.stack.buildCondition(options);
  }

  /**
   * MAR's loss on the target images (`MAR.forward` with Harmon's condition path): tokens of the frozen tokenizer
   * (posterior sample), a random order per sample and one masking ratio for the batch (truncated normal on
   * [0.7, 1]; `adapterOptions['masked-autoregressive'].maskRatio` fixes it), encoder on the visible tokens, condition
   * added through `proj_out`, decoder, then the diffusion loss (tokens ×`batchMultiplier`, uniform timesteps,
   * ε-MSE + VLB) averaged over the masked tokens only. Draws, in order: latents, orders, ratio, timesteps, noise.
   */
  doGenerationLoss(options: UnifiedModelV1GenerationLossOptions): UnifiedModelV1LossResult {
    const { condition, targetImages, random } = options;
    const size = this.imageSize;
    if (targetImages.rank !== 4 || targetImages.shape[1] !== size || targetImages.shape[2] !== size || targetImages.shape[3] !== 3) {
      throw new ShapeMismatchError({ tensorName: 'targetImages', expected: [null, size, size, 3], actual: targetImages.shape, context: `${this.modelId} doGenerationLoss` });
    }
    const { options: settings, warnings } = parseAdapterOptions(options.adapterOptions);
    const batchSize = targetImages.shape[0];
    const length = this.generator.sequenceLength;
    const loss = tf.tidy(() => {
      const tokens = this.generator.imagesToTokens(targetImages, random.fork('latents'));
      const orders = sampleOrders(batchSize, length, random);
      const ratio = settings.maskRatio ?? this.maskRatioSampler.sample(random);
      const { mask, maskedCount } = randomMasking(orders, ratio);
      const visible = orders.map((order) => order.slice(maskedCount).sort((first, second) => first - second));
      const conditions = this.generator.tokenConditions(tokens, visible, condition);
      return this.generator.mar.diffusionHead.loss({
        target: tokens,
        condition: conditions,
        mask: tf.tensor2d(mask, [batchSize, length]),
        batchMultiplier: settings.batchMultiplier ?? this.config.diffusionHead.batchMultiplier,
        random,
      });
    });
    return { loss, normalization: 'masked-tokens', warnings };
  }

  /**
   * The I2T loss (mean CE over caption tokens) of the stack's caption decoder. With `'mar-encoder'` it reads Harmon's
   * understanding features with the stack's gradient policy applied (×0.1 into the MAR encoder while shared, as
   * Harmon's `image2text_loss`); with `'vit'` it is the stack's own loss.
   */
  doUnderstandingLoss(options: UnifiedModelV1UnderstandingLossOptions): UnifiedModelV1LossResult {
    if (this.config.understanding === 'vit') return this.stack.understandingLoss(options);
    if (options.captions.length !== options.images.shape[0]) {
      throw new InvalidArgumentError({ argument: 'captions', message: `must have one caption per image (${options.images.shape[0]}), got ${options.captions.length}` });
    }
    const loss = tf.tidy(() => {
      const features = this.stack.encodeWithGradientPolicy(() => this.doEncodeUnderstanding({ images: options.images, training: true }));
      return this.stack.captionDecoder.loss(features, options.captions);
    });
    return { loss, normalization: 'tokens', warnings: [] };
  }

  /**
   * The contrastive alignment term (pilot variant B) between each image's RecA condition (an instruction drawn from
   * RecA's pool with `options.random`, plus the image's understanding embeddings with the stack's gradient policy) and
   * its dense caption's condition. With `'vit'` it is the stack's `alignmentLoss`; with `'mar-encoder'` the same loss
   * is composed from this model's own understanding features (Harmon's MAR encoder path, what RecA's condition reads)
   * and the stack's condition encoder and temperature. recaStep has already bottlenecked `options.images`.
   *
   * @returns `loss` float32 scalar (`normalization: 'samples'`); the caller owns it.
   */
  doAlignmentLoss(options: UnifiedModelV1AlignmentLossOptions): UnifiedModelV1LossResult {
    const { images, captions, random } = options;
    const instruction = captions.map(() => random.choice(reconstructionInstructions));
    if (this.config.understanding === 'vit') return this.stack.alignmentLoss({ images, captions, instruction });
    if (captions.length !== images.shape[0] || captions.length < 2) {
      throw new InvalidArgumentError({
        argument: 'captions',
        message: `must have one caption per image and at least 2 samples (images ${images.shape[0]}, captions ${captions.length})`,
      });
    }
    const loss = tf.tidy(() => {
      const embeddings = this.stack.encodeWithGradientPolicy(() => this.doEncodeUnderstanding({ images, training: true }));
      const common = { dropText: undefined, dropUnderstanding: undefined, training: true };
      const reca = this.stack.buildCondition({ texts: instruction, understandingEmbeddings: embeddings, ...common });
      const caption = this.stack.buildCondition({ texts: captions, understandingEmbeddings: undefined, ...common });
      return contrastiveAlignmentLoss(reca, caption, { temperature: this.stack.config.alignmentTemperature });
    });
    return { loss, normalization: 'samples', warnings: [] };
  }

  /**
   * MAR decoding (see `sampleMaskedAutoregressiveTokens`) then the tokenizer's decoder. `steps` = MAR iterations
   * (default `config.sampling.iterations`); the diffusion head's sampler and steps come from
   * `adapterOptions['masked-autoregressive']` or the config.
   */
  async doSample(options: UnifiedModelV1SampleOptions): Promise<UnifiedModelV1SampleResult> {
    const { condition, unconditionalCondition, guidanceScale, seed } = options;
    const { options: settings, warnings } = parseAdapterOptions(options.adapterOptions);
    const sampling = this.config.sampling;
    const iterations = options.steps ?? sampling.iterations;
    if (!Number.isInteger(iterations) || iterations <= 0) throw new InvalidArgumentError({ argument: 'steps', message: `must be a positive integer, got ${iterations}` });
    if (!Number.isFinite(guidanceScale)) throw new InvalidArgumentError({ argument: 'guidanceScale', message: `must be finite, got ${guidanceScale}` });
    const temperature = options.temperature ?? sampling.temperature;
    if (!(temperature > 0)) throw new InvalidArgumentError({ argument: 'temperature', message: `must be positive, got ${temperature}` });
    const samplerKind = settings.sampler ?? sampling.sampler;
    const diffusionSteps = settings.diffusionSteps ?? sampling.diffusionSteps;
    const ddimEta = settings.ddimEta ?? sampling.ddimEta;
    const allWarnings: UnifiedModelV1Warning[] = [...warnings];
    if (guidanceScale !== 1 && !unconditionalCondition) {
      allWarnings.push({ type: 'unsupported', feature: 'guidanceScale', details: 'no unconditional condition was given, so guidance is off' });
    }
    if (samplerKind === 'ddim' && ddimEta === 0 && temperature !== 1) {
      allWarnings.push({ type: 'unsupported', feature: 'temperature', details: 'DDIM with η = 0 adds no noise, so the temperature has no effect' });
    }
    const head = this.generator.mar.diffusionHead;
    const sampler: TokenSampler =
      samplerKind === 'ddim'
        ? new DdimSampler({ schedule: head.schedule, steps: diffusionSteps, varianceType: head.config.varianceType, eta: ddimEta })
        : new DdpmSampler({ schedule: head.schedule, steps: diffusionSteps, varianceType: head.config.varianceType });
    const tokens = sampleMaskedAutoregressiveTokens({
      generator: this.generator,
      condition,
      unconditionalCondition,
      guidanceScale,
      guidanceSchedule: settings.guidanceSchedule ?? sampling.guidanceSchedule,
      iterations,
      sampler,
      temperature,
      seed,
    });
    try {
      return { images: this.generator.tokensToImages(tokens), warnings: allWarnings };
    } finally {
      tokens.dispose();
    }
  }

  /** Names of the stack's parts that this model does not use (the placeholder ViT with `'mar-encoder'`). */
  #isUnusedStackName(name: string): boolean {
    return this.config.understanding === 'mar-encoder' && (name.startsWith('understanding.vit.') || name.startsWith('understanding.projector.'));
  }

  trainableVariables(): readonly NamedVariable[] {
    return [
      ...this.stack.trainableNamedVariables().filter(([name]) => !this.#isUnusedStackName(name)),
      ...this.generator.namedParameters({ trainableOnly: true }),
    ];
  }

  namedWeights(): Record<string, tf.Tensor> {
    const weights: Record<string, tf.Tensor> = {};
    for (const [name, variable] of this.stack.namedParameters()) if (!this.#isUnusedStackName(name)) weights[name] = variable;
    for (const [name, variable] of this.generator.namedParameters()) weights[name] = variable;
    return weights;
  }

  /**
   * Assigns every weight by name (all checked before any is assigned).
   * @throws WeightNamesMismatchError listing missing and unexpected names; ShapeMismatchError naming a weight.
   */
  loadNamedWeights(weights: Record<string, tf.Tensor>): void {
    const expected = this.namedWeights();
    const missing = Object.keys(expected).filter((name) => !(name in weights));
    const unexpected = Object.keys(weights).filter((name) => !(name in expected));
    if (missing.length > 0 || unexpected.length > 0) throw new WeightNamesMismatchError({ missing, unexpected, context: `${this.modelId} loadNamedWeights` });
    for (const [name, tensor] of Object.entries(expected)) {
      const value = weights[name] as tf.Tensor;
      if (value.shape.length !== tensor.shape.length || value.shape.some((dimension, index) => dimension !== tensor.shape[index])) {
        throw new ShapeMismatchError({ tensorName: name, expected: tensor.shape, actual: value.shape, context: `${this.modelId} loadNamedWeights` });
      }
    }
    // Only the names this model uses (the stack's placeholder ViT keeps its values; strict is off for it alone).
    const stackWeights = new Map<string, tf.Tensor>();
    for (const [name] of this.stack.namedParameters()) if (!this.#isUnusedStackName(name)) stackWeights.set(name, weights[name] as tf.Tensor);
    this.stack.loadNamedWeights(stackWeights, { strict: false });
    this.generator.loadNamedWeights(Object.fromEntries(this.generator.namedParameters().map(([name]) => [name, weights[name] as tf.Tensor])));
  }

  /** The JSON that recreates this model: resolved configuration (with the autoencoder's current scaling factor and the stack's current mode), seed, preset, tokenizer. */
  getConfig(): MaskedAutoregressiveUmmSavedConfig {
    const config = JSON.parse(JSON.stringify(this.config)) as MaskedAutoregressiveUmmConfig;
    config.understandingStack = this.stack.getConfig();
    if (config.imageTokenizer.type === 'kl-autoencoder' && this.generator.autoencoder) {
      config.imageTokenizer.autoencoder = this.generator.autoencoder.getConfig();
    }
    const tokenizer =
      this.tokenizer instanceof WordLevelTokenizer ? { type: 'word-level', json: this.tokenizer.toJSON() } : { type: this.tokenizer.tokenizerType };
    return { config, seed: this.seed, preset: this.preset, tokenizer };
  }

  dispose(): void {
    this.stack.dispose();
    this.generator.dispose();
  }
}
