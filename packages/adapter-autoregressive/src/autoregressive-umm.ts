import {
  reconstructionInstructions,
  type UnifiedModelV1AlignmentLossOptions,
} from '@reca/core';
import type {
  NamedVariable,
  TextTokenizer,
  UnifiedModelV1BuildConditionOptions,
  UnifiedModelV1Condition,
  UnifiedModelV1EncodeUnderstandingOptions,
  UnifiedModelV1GenerationLossOptions,
  UnifiedModelV1LossResult,
  UnifiedModelV1RecaDefaults,
  UnifiedModelV1SampleOptions,
  UnifiedModelV1SampleResult,
  UnifiedModelV1UnderstandingInfo,
  UnifiedModelV1UnderstandingLossOptions,
  UnifiedModelV1Warning,
  UnifiedMultimodalModelV1,
} from '@reca/core';
import { InvalidArgumentError, SeededRandom, ShapeMismatchError, tf, WeightNamesMismatchError, withoutGradient } from '@reca/runtime';
import { UnderstandingStack } from '@reca/understanding';
import type { AutoregressiveUmmConfig } from './autoregressive-umm-config.js';
import { validateAutoregressiveUmmConfig } from './autoregressive-umm-config.js';
import { LlamaGenTransformer } from './generator/llamagen-transformer.js';
import { maskedTokenLoss } from './losses/masked-token-loss.js';
import { nextTokenLoss } from './losses/next-token-loss.js';
import { drawTokenMasks } from './masking/random-token-masking.js';
import { sampleAutoregressive } from './sampling/autoregressive-sampler.js';
import { sampleMaskGit } from './sampling/maskgit-sampler.js';
import { VqTokenizer } from './vq/vq-tokenizer.js';
import { vqGridSize } from './vq/vq-tokenizer-config.js';

/** The adapter package name (`UnifiedMultimodalModelV1.adapter`, checkpoint metadata). */
export const AUTOREGRESSIVE_ADAPTER = '@reca/adapter-autoregressive';

/** Name prefix of the VQ tokenizer's weights inside the model (LlamaGen's sampling scripts call it `vq_model`). */
export const VQ_WEIGHT_PREFIX = 'vq_model.';

/**
 * Per-call sampling settings in `adapterOptions.autoregressive` (all optional; defaults from `config.sampling`):
 * `topK`, `topP`, `useKeyValueCache` (next-token mode), `choiceTemperature` (masked mode).
 */
export interface AutoregressiveSampleAdapterOptions {
  topK?: number;
  topP?: number;
  useKeyValueCache?: boolean;
  choiceTemperature?: number;
}

/** Options of the {@link AutoregressiveUmm} constructor. */
export interface AutoregressiveUmmOptions {
  config: AutoregressiveUmmConfig;
  tokenizer: TextTokenizer;
  /** Seed of the initial weights (understanding, generator and VQ draw from independent forks). */
  seed: number;
}

/**
 * A unified multimodal model of the autoregressive family (LlamaGen/Janus; Show-o's masked-token variant as
 * `generator.mode: 'masked'`):
 *
 * - understanding and text: the shared `UnderstandingStack` (ViT → projector; condition encoder; caption decoder for
 *   the I2T loss). Names `understanding.*`, `text.*`. Conditions come from the ViT, never from the VQ tokens, so
 *   condition and target do not share a token space (the paper's Show-o-VQ collapse case).
 * - image tokenizer: a frozen VQ autoencoder ({@link VqTokenizer}), names `vq_model.*`; train it first with
 *   `trainVqTokenizer(model.vqTokenizer, …)` or pass a trained one to `createAutoregressiveUmm`.
 * - generator: LlamaGen's transformer ({@link LlamaGenTransformer}) under LlamaGen's own top-level names
 *   (`cls_embedding.*`, `tok_embeddings.*`, `layers.N.*`, `norm.*`, `output.*`).
 *
 * The generation loss is cross-entropy on the target image's VQ tokens: next-token over all tokens, or on the
 * masked tokens (mask ratio cos(πt/2), t ~ U(0, 1) per sample from the `random` argument).
 */
export class AutoregressiveUmm implements UnifiedMultimodalModelV1 {
  readonly specificationVersion = 'v1' as const;
  readonly family = 'autoregressive' as const;
  readonly adapter = AUTOREGRESSIVE_ADAPTER;
  readonly modelId: string;
  readonly imageSize: number;
  readonly config: AutoregressiveUmmConfig;
  readonly stack: UnderstandingStack;
  readonly vqTokenizer: VqTokenizer;
  readonly generator: LlamaGenTransformer;

  constructor(options: AutoregressiveUmmOptions) {
    const { config, tokenizer, seed } = options;
    validateAutoregressiveUmmConfig(config);
    const random = new SeededRandom(seed);
    this.stack = new UnderstandingStack({ config: config.understanding, tokenizer, random: random.fork('understanding') });
    this.vqTokenizer = new VqTokenizer(config.vq, random.fork('vq'));
    this.vqTokenizer.setTrainable(false);
    this.generator = new LlamaGenTransformer(
      {
        ...config.generator,
        codebookSize: config.vq.codebookSize,
        gridSize: vqGridSize(config.vq),
        conditionWidth: this.stack.conditionWidth,
      },
      random.fork('generator'),
    );
    this.config = JSON.parse(JSON.stringify({ ...config, understanding: this.stack.getConfig() })) as AutoregressiveUmmConfig;
    this.imageSize = config.imageSize;
    this.modelId = `llamagen-${config.preset}-${config.generator.mode}-${config.imageSize}px`;
  }

  get understanding(): UnifiedModelV1UnderstandingInfo {
    return this.stack.understandingInfo;
  }

  get tokenizer(): TextTokenizer {
    return this.stack.tokenizer;
  }

  get nullPrompt(): string {
    return this.stack.nullPrompt;
  }

  /**
   * Show-o's RecA settings: no condition dropout (unless configured); reconstruction mixed 1:1 with I2T while the
   * understanding side is shared and trainable, reconstruction only when it is frozen; T2I 0.
   */
  get recaDefaults(): UnifiedModelV1RecaDefaults {
    const shared = this.stack.mode === 'shared';
    return {
      conditionDropout: this.config.recaConditionDropout,
      lossWeights: { reconstruction: 1, imageToText: shared ? 1 : 0, textToImage: 0 },
    };
  }

  doEncodeUnderstanding(options: UnifiedModelV1EncodeUnderstandingOptions): tf.Tensor3D {
    return this.stack.encodeUnderstanding(options);
  }

  doBuildCondition(options: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition {
    return this.stack.buildCondition(options);
  }

  /**
   * Cross-entropy on the VQ tokens of `targetImages` (encoded by the frozen tokenizer, outside any gradient):
   * next-token (`normalization: 'tokens'`) or masked-token (`'masked-tokens'`, masks drawn from `random`).
   */
  doGenerationLoss(options: UnifiedModelV1GenerationLossOptions): UnifiedModelV1LossResult {
    const { condition, targetImages, random } = options;
    const size = this.imageSize;
    if (targetImages.rank !== 4 || targetImages.shape[1] !== size || targetImages.shape[2] !== size || targetImages.shape[3] !== 3) {
      throw new ShapeMismatchError({ tensorName: 'targetImages', expected: [null, size, size, 3], actual: targetImages.shape, context: 'AutoregressiveUmm.doGenerationLoss' });
    }
    const batchSize = targetImages.shape[0];
    if (condition.embeddings.shape[0] !== batchSize) {
      throw new ShapeMismatchError({ tensorName: 'condition.embeddings', expected: [batchSize, null, null], actual: condition.embeddings.shape, context: 'AutoregressiveUmm.doGenerationLoss (one condition per target image)' });
    }
    const tokenCount = this.generator.imageTokens;
    const warnings = unknownAdapterOptionWarnings(options.adapterOptions, []);
    if (this.config.generator.mode === 'masked') {
      const masks = drawTokenMasks(batchSize, tokenCount, random);
      const loss = tf.tidy(() => maskedTokenLoss(this.generator, condition, this.#targetTokens(targetImages), masks.masked));
      return { loss, normalization: 'masked-tokens', warnings };
    }
    const loss = tf.tidy(() => nextTokenLoss(this.generator, condition, this.#targetTokens(targetImages)));
    return { loss, normalization: 'tokens', warnings };
  }

  doUnderstandingLoss(options: UnifiedModelV1UnderstandingLossOptions): UnifiedModelV1LossResult {
    return this.stack.understandingLoss(options);
  }

  /**
   * The contrastive alignment term (pilot variant B): the stack's `alignmentLoss` between each image's RecA condition
   * (an instruction drawn from RecA's pool with `options.random`, plus the image's understanding embeddings with the
   * model's gradient policy) and its dense caption's condition, both through the same condition encoder. recaStep has
   * already bottlenecked `options.images`.
   *
   * @returns `loss` float32 scalar (`normalization: 'samples'`); the caller owns it.
   */
  doAlignmentLoss(options: UnifiedModelV1AlignmentLossOptions): UnifiedModelV1LossResult {
    const instruction = options.captions.map(() => options.random.choice(reconstructionInstructions));
    return this.stack.alignmentLoss({ images: options.images, captions: options.captions, instruction });
  }

  /**
   * Samples VQ tokens (raster order with a KV cache in next-token mode; MaskGIT decoding in masked mode) with
   * classifier-free guidance, temperature, top-k/top-p and a seed, then decodes them with the VQ decoder.
   */
  async doSample(options: UnifiedModelV1SampleOptions): Promise<UnifiedModelV1SampleResult> {
    const { condition, unconditionalCondition, guidanceScale, steps, seed, temperature } = options;
    const warnings = unknownAdapterOptionWarnings(options.adapterOptions, ['topK', 'topP', 'useKeyValueCache', 'choiceTemperature']);
    const perCall = (options.adapterOptions?.['autoregressive'] ?? {}) as AutoregressiveSampleAdapterOptions;
    const defaults = this.config.sampling;
    const sampling = {
      temperature: temperature ?? defaults.temperature,
      topK: perCall.topK ?? defaults.topK,
      topP: perCall.topP ?? defaults.topP,
    };
    if (!Number.isFinite(guidanceScale)) throw new InvalidArgumentError({ argument: 'guidanceScale', message: `must be a finite number, got ${guidanceScale}` });
    const guided = guidanceScale !== 1;
    if (guided && !unconditionalCondition) {
      throw new InvalidArgumentError({ argument: 'unconditionalCondition', message: `is required when guidanceScale is ${guidanceScale} (≠ 1)` });
    }
    const common = { condition, unconditionalCondition: guided ? unconditionalCondition : undefined, guidanceScale, seed, ...sampling };
    let tokens: Int32Array;
    if (this.config.generator.mode === 'masked') {
      tokens = await sampleMaskGit(this.generator, { ...common, steps: steps ?? defaults.maskedSteps, choiceTemperature: perCall.choiceTemperature ?? defaults.choiceTemperature });
    } else {
      if (steps !== undefined && steps !== this.generator.imageTokens) {
        warnings.push({ type: 'unsupported', feature: 'steps', details: `next-token sampling always takes one step per image token (${this.generator.imageTokens}); steps=${steps} ignored` });
      }
      tokens = await sampleAutoregressive(this.generator, { ...common, useKeyValueCache: perCall.useKeyValueCache ?? defaults.useKeyValueCache });
    }
    const grid = this.vqTokenizer.gridSize;
    const batchSize = condition.embeddings.shape[0];
    const images = tf.tidy(() => this.vqTokenizer.decodeIndices(tf.tensor3d(tokens, [batchSize, grid, grid], 'int32')));
    return { images, warnings };
  }

  trainableVariables(): readonly NamedVariable[] {
    return [...this.stack.trainableNamedVariables(), ...this.generator.namedParameters({ trainableOnly: true })];
  }

  namedWeights(): Record<string, tf.Tensor> {
    const weights: Record<string, tf.Tensor> = {};
    for (const [name, variable] of this.stack.namedParameters()) weights[name] = variable;
    for (const [name, variable] of this.generator.namedParameters()) weights[name] = variable;
    for (const [name, variable] of this.vqTokenizer.namedParameters()) weights[`${VQ_WEIGHT_PREFIX}${name}`] = variable;
    return weights;
  }

  /**
   * Assigns every weight by name. Names and shapes are all checked before anything is assigned.
   * @throws WeightNamesMismatchError listing missing and unexpected names; ShapeMismatchError naming the weight.
   */
  loadNamedWeights(weights: Record<string, tf.Tensor>): void {
    const own = this.namedWeights();
    const missing = Object.keys(own).filter((name) => !(name in weights));
    const unexpected = Object.keys(weights).filter((name) => !(name in own));
    if (missing.length > 0 || unexpected.length > 0) throw new WeightNamesMismatchError({ missing, unexpected, context: 'AutoregressiveUmm.loadNamedWeights' });
    for (const [name, current] of Object.entries(own)) {
      const value = weights[name] as tf.Tensor;
      if (value.rank !== current.rank || value.shape.some((size, index) => size !== current.shape[index])) {
        throw new ShapeMismatchError({ tensorName: name, expected: current.shape, actual: value.shape, context: 'AutoregressiveUmm.loadNamedWeights' });
      }
    }
    const stackWeights = new Map<string, tf.Tensor>();
    const generatorWeights = new Map<string, tf.Tensor>();
    const vqWeights = new Map<string, tf.Tensor>();
    for (const [name, value] of Object.entries(weights)) {
      if (name.startsWith(VQ_WEIGHT_PREFIX)) vqWeights.set(name.slice(VQ_WEIGHT_PREFIX.length), value);
      else if (name.startsWith('understanding.') || name.startsWith('text.')) stackWeights.set(name, value);
      else generatorWeights.set(name, value);
    }
    this.stack.loadNamedWeights(stackWeights);
    this.generator.loadNamedWeights(generatorWeights);
    this.vqTokenizer.loadNamedWeights(vqWeights);
  }

  /** The configuration with the tokenizer's saved form (`tokenizer`), enough to recreate the model. */
  getConfig(): Record<string, unknown> {
    const tokenizer = this.stack.tokenizer as TextTokenizer & { toJSON?: () => unknown };
    return {
      ...(JSON.parse(JSON.stringify({ ...this.config, understanding: this.stack.getConfig() })) as Record<string, unknown>),
      tokenizer: typeof tokenizer.toJSON === 'function' ? tokenizer.toJSON() : null,
    };
  }

  dispose(): void {
    this.stack.dispose();
    this.generator.dispose();
    this.vqTokenizer.dispose();
  }

  /**
   * int32 `[batch, gridSize²]` VQ tokens of `images` (the frozen tokenizer runs with the gradient tape paused: its
   * ops are not recorded inside a loss); the caller owns it.
   */
  #targetTokens(images: tf.Tensor4D): tf.Tensor2D {
    return withoutGradient(() => tf.reshape(this.vqTokenizer.encodeToIndices(images), [images.shape[0], this.generator.imageTokens]) as tf.Tensor2D);
  }
}

/** Warnings for `adapterOptions.autoregressive` keys this call does not read (not silently ignored). */
function unknownAdapterOptionWarnings(adapterOptions: Record<string, Record<string, unknown>> | undefined, known: readonly string[]): UnifiedModelV1Warning[] {
  const own = adapterOptions?.['autoregressive'];
  if (!own) return [];
  return Object.keys(own)
    .filter((key) => !known.includes(key))
    .map((key) => ({ type: 'unsupported' as const, feature: `adapterOptions.autoregressive.${key}` }));
}
