import type {
  NamedVariable,
  TextTokenizer,
  UnderstandingGradientPolicy,
  UnifiedModelV1BuildConditionOptions,
  UnifiedModelV1Condition,
  UnifiedModelV1LossResult,
  UnifiedModelV1UnderstandingInfo,
} from '@reca/core';
import { InvalidArgumentError, Module, scaleGradient, type SeededRandom, stopGradient, tf, withoutGradient } from '@reca/runtime';
import { contrastiveAlignmentLoss } from '../alignment/contrastive-alignment-loss.js';
import { CaptionDecoder } from '../caption/caption-decoder.js';
import { ConditionEncoder } from '../condition/condition-encoder.js';
import type { ConditionLayout } from '../condition/condition-encoder-config.js';
import type { UnderstandingPresetName } from '../preset-name.js';
import { Projector } from '../projector/projector.js';
import { VisionTransformerEncoder } from '../vision/vision-transformer-encoder.js';
import {
  resolveUnderstandingStackConfig,
  type UnderstandingMode,
  type UnderstandingStackConfig,
  type UnderstandingStackConfigOverrides,
  validateUnderstandingStackConfig,
} from './understanding-stack-config.js';

/** Parameter-name prefixes of the stack's parts (stable: checkpoints rely on them). */
export const understandingStackPrefixes = {
  vision: 'understanding.vit.',
  projector: 'understanding.projector.',
  captionDecoder: 'understanding.caption_decoder.',
  conditionEncoder: 'text.',
} as const;

/** Options of the {@link UnderstandingStack} constructor. */
export interface UnderstandingStackOptions {
  /** A complete configuration (see `resolveUnderstandingStackConfig`). */
  config: UnderstandingStackConfig;
  /** The tokenizer of prompts, instructions and captions (needs a pad token). */
  tokenizer: TextTokenizer;
  /** Stream of the initial weights (parts draw in the order vision, projector, caption decoder, condition encoder). */
  random: SeededRandom;
}

/** Options of {@link createUnderstandingStack}. */
export interface CreateUnderstandingStackOptions {
  /** @default 'tiny' */
  preset?: UnderstandingPresetName;
  /** Fields replacing the preset's. */
  overrides?: UnderstandingStackConfigOverrides;
  tokenizer: TextTokenizer;
  random: SeededRandom;
}

/** Options of {@link UnderstandingStack.encodeUnderstanding}. */
export interface EncodeUnderstandingOptions {
  /** float32 `[batch, size, size, 3]` in [0, 1]; size a multiple of the patch size. */
  images: tf.Tensor4D;
  /** Has no effect (no dropout layers); kept for the contract's signature. */
  training: boolean;
}

/** Options of {@link UnderstandingStack.understandingLoss}. */
export interface UnderstandingLossOptions {
  /** float32 `[batch, size, size, 3]` in [0, 1]. */
  images: tf.Tensor4D;
  /** The caption (or answer) per image. */
  captions: readonly string[];
}

/** Options of {@link UnderstandingStack.alignmentLoss}. */
export interface AlignmentLossOptions {
  /**
   * float32 `[batch, size, size, 3]` in [0, 1]: the images as the RecA condition sees them (pass the same
   * bottlenecked images, e.g. `degradeImages(...)` from `@reca/core`).
   */
  images: tf.Tensor4D;
  /** The dense caption of each image. At least 2 samples. */
  captions: readonly string[];
  /** The instruction wrapped around the understanding embeddings: one for all, or one per sample. @default config.alignmentInstruction */
  instruction?: string | readonly string[];
  /** @default config.alignmentTemperature */
  temperature?: number;
  /** Gradient policy on the understanding embeddings. @default the stack's {@link UnderstandingStack.gradientPolicy} */
  gradientPolicy?: UnderstandingGradientPolicy;
}

/**
 * The understanding and text sides every adapter shares, in one module with one configuration: tokenizer, ViT
 * encoder, projector, caption (I2T) decoder and condition encoder. It gives an adapter exactly what the contract's
 * understanding, condition and I2T parts need; the adapter owns the generator.
 *
 * | contract (`UnifiedMultimodalModelV1`) | stack |
 * | --- | --- |
 * | `understanding` | {@link understandingInfo} |
 * | `tokenizer`, `nullPrompt` | {@link tokenizer}, {@link nullPrompt} |
 * | `doEncodeUnderstanding(options)` | {@link encodeUnderstanding} |
 * | `doBuildCondition(options)` | {@link buildCondition} |
 * | `doUnderstandingLoss(options)` | {@link understandingLoss} |
 * | `trainableVariables()`, `namedWeights()`, `loadNamedWeights()` | {@link trainableNamedVariables}, `namedWeights()`, `loadNamedWeights()` (names carry the prefixes below) |
 *
 * Parameter names: `understanding.vit.*` (timm ViT names), `understanding.projector.{0,2}.*`,
 * `understanding.caption_decoder.*` and `text.*` (Hugging Face LLaMA names); see {@link understandingStackPrefixes}.
 *
 * Modes (see `UnderstandingMode`): `'frozen'` makes every `understanding.*` parameter non-trainable and the gradient
 * policy `stop`; `'shared'` makes them trainable with policy `scale` (`sharedGradientScale`, 0.1). `text.*` is always
 * trainable. recaStep applies the policy itself to what `encodeUnderstanding` returns; {@link alignmentLoss} applies
 * it too.
 */
export class UnderstandingStack extends Module {
  readonly config: UnderstandingStackConfig;
  readonly tokenizer: TextTokenizer;
  readonly vision: VisionTransformerEncoder;
  readonly projector: Projector;
  readonly captionDecoder: CaptionDecoder;
  readonly conditionEncoder: ConditionEncoder;
  #mode: UnderstandingMode;

  constructor(options: UnderstandingStackOptions) {
    super();
    const { tokenizer, random } = options;
    validateUnderstandingStackConfig(options.config);
    const config = options.config;
    this.tokenizer = tokenizer;
    const embeddingWidth = config.embeddingWidth;
    this.vision = this.registerModule('understanding.vit', new VisionTransformerEncoder(config.vision, random));
    this.projector = this.registerModule(
      'understanding.projector',
      new Projector({ inFeatures: config.vision.width, outFeatures: embeddingWidth, hiddenFeatures: config.projectorHiddenWidth, random }),
    );
    this.captionDecoder = this.registerModule(
      'understanding.caption_decoder',
      new CaptionDecoder({ ...config.captionDecoder, understandingWidth: embeddingWidth }, tokenizer, random),
    );
    this.conditionEncoder = this.registerModule(
      'text',
      new ConditionEncoder({ ...config.conditionEncoder, understandingWidth: embeddingWidth }, tokenizer, random),
    );
    this.config = {
      ...config,
      vision: { ...this.vision.config, pixelMean: [...this.vision.config.pixelMean], pixelStd: [...this.vision.config.pixelStd] },
      captionDecoder: { ...this.captionDecoder.config },
      conditionEncoder: { ...this.conditionEncoder.config },
    };
    this.#mode = config.mode;
    this.setMode(config.mode);
  }

  /** The current mode. */
  get mode(): UnderstandingMode {
    return this.#mode;
  }

  /**
   * Switches between `'frozen'` and `'shared'` (e.g. I2T pre-training in `'shared'` mode, then RecA with a frozen
   * encoder): sets the trainable flag of every `understanding.*` parameter and the gradient policy. Optimiser state
   * of parameters that become frozen is the caller's business.
   *
   * @returns this stack.
   */
  setMode(mode: UnderstandingMode): this {
    if (mode !== 'frozen' && mode !== 'shared') {
      throw new InvalidArgumentError({ argument: 'mode', message: `must be 'frozen' or 'shared', got '${String(mode)}'` });
    }
    this.#mode = mode;
    for (const part of [this.vision, this.projector, this.captionDecoder]) part.setTrainable(mode === 'shared');
    this.conditionEncoder.setTrainable(true);
    return this;
  }

  /** `{ type: 'stop' }` when frozen, `{ type: 'scale', scale: sharedGradientScale }` when shared. */
  get gradientPolicy(): UnderstandingGradientPolicy {
    return this.#mode === 'frozen' ? { type: 'stop' } : { type: 'scale', scale: this.config.sharedGradientScale };
  }

  /** The contract's `understanding` description of this stack. */
  get understandingInfo(): UnifiedModelV1UnderstandingInfo {
    return {
      embeddingWidth: this.config.embeddingWidth,
      imageSize: this.config.vision.imageSize,
      minimumImageSize: this.config.minimumImageSize,
      gradientPolicy: this.gradientPolicy,
      sharedWithGeneration: this.#mode === 'shared',
      parameterPrefixes: ['understanding.'],
    };
  }

  /** The text that replaces dropped or empty prompts. */
  get nullPrompt(): string {
    return this.conditionEncoder.config.nullPrompt;
  }

  /** Width of the condition vectors the generator reads (the condition encoder's width). */
  get conditionWidth(): number {
    return this.conditionEncoder.width;
  }

  /** The condition layout. */
  get layout(): ConditionLayout {
    return this.conditionEncoder.layout;
  }

  /**
   * Understanding embeddings: ViT tokens through the projector (no gradient policy applied — recaStep does that).
   *
   * @returns float32 `[batch, (size/patch)², embeddingWidth]`; the caller owns it.
   */
  encodeUnderstanding(options: EncodeUnderstandingOptions): tf.Tensor3D {
    return tf.tidy(() => this.projector.forward(this.vision.forward(options.images)) as tf.Tensor3D);
  }

  /**
   * Applies a gradient policy to understanding embeddings (stop, or scale the gradient).
   *
   * @param embeddings - float32 `[batch, tokens, embeddingWidth]`.
   * @returns a new tensor equal to `embeddings`; the caller owns it.
   */
  applyGradientPolicy(embeddings: tf.Tensor3D, policy: UnderstandingGradientPolicy = this.gradientPolicy): tf.Tensor3D {
    if (policy.type === 'stop') return stopGradient(embeddings);
    return policy.scale === 1 ? embeddings.clone() : scaleGradient(embeddings, policy.scale);
  }

  /**
   * Runs an understanding encoder under a gradient policy: stopped, `encode` runs with the gradient tape paused
   * (`withoutGradient`: the same values and gradients as {@link applyGradientPolicy} on its output, but nothing of the
   * encoder is recorded or kept for the backward pass); scaled, its output's gradient is scaled.
   *
   * @param encode - returns float32 `[batch, tokens, embeddingWidth]` (e.g. {@link encodeUnderstanding}).
   * @returns a new tensor; the caller owns it.
   */
  encodeWithGradientPolicy(encode: () => tf.Tensor3D, policy: UnderstandingGradientPolicy = this.gradientPolicy): tf.Tensor3D {
    if (policy.type === 'stop') return withoutGradient(encode);
    return tf.tidy(() => this.applyGradientPolicy(encode(), policy));
  }

  /**
   * The condition the generator reads — the contract's `doBuildCondition`.
   *
   * @returns `embeddings` float32 `[batch, length, conditionWidth]` (length = `numQueries` with the bottleneck, else
   *   text + understanding tokens), `mask` float32 `[batch, length]`, `layout`; the caller owns the tensors.
   */
  buildCondition(options: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition {
    return this.conditionEncoder.encode(options);
  }

  /**
   * The I2T loss — the contract's `doUnderstandingLoss`: mean cross-entropy of the caption tokens given the
   * understanding embeddings of the images (full gradient into every understanding part that is trainable).
   *
   * @returns `loss` float32 scalar (a mean over caption tokens, `normalization: 'tokens'`); the caller owns it.
   */
  understandingLoss(options: UnderstandingLossOptions): UnifiedModelV1LossResult {
    const loss = tf.tidy(() => this.captionDecoder.loss(this.encodeUnderstanding({ images: options.images, training: true }), options.captions));
    return { loss, normalization: 'tokens', warnings: [] };
  }

  /**
   * The contrastive alignment term (pilot variant B): symmetric InfoNCE between each image's RecA condition
   * (instruction + its understanding embeddings, gradient policy applied) and its dense caption's condition, both
   * built by the same condition encoder.
   *
   * @returns `loss` float32 scalar (`normalization: 'samples'`); the caller owns it.
   */
  alignmentLoss(options: AlignmentLossOptions): UnifiedModelV1LossResult {
    const { images, captions, instruction = this.config.alignmentInstruction, temperature = this.config.alignmentTemperature } = options;
    const batchSize = images.shape[0];
    if (captions.length !== batchSize) {
      throw new InvalidArgumentError({ argument: 'captions', message: `must have one caption per image (${batchSize}), got ${captions.length}` });
    }
    if (batchSize < 2) {
      throw new InvalidArgumentError({ argument: 'images', message: `the contrastive loss needs at least 2 samples, got ${batchSize}` });
    }
    const instructions = typeof instruction === 'string' ? new Array<string>(batchSize).fill(instruction) : [...instruction];
    if (instructions.length !== batchSize) {
      throw new InvalidArgumentError({ argument: 'instruction', message: `must be one string or one per image (${batchSize}), got ${instructions.length}` });
    }
    const loss = tf.tidy(() => {
      const policy = options.gradientPolicy ?? this.gradientPolicy;
      const embeddings = this.encodeWithGradientPolicy(() => this.encodeUnderstanding({ images, training: true }), policy);
      const common = { dropText: undefined, dropUnderstanding: undefined, training: true };
      const reca = this.buildCondition({ texts: instructions, understandingEmbeddings: embeddings, ...common });
      const caption = this.buildCondition({ texts: captions, understandingEmbeddings: undefined, ...common });
      return contrastiveAlignmentLoss(reca, caption, { temperature });
    });
    return { loss, normalization: 'samples', warnings: [] };
  }

  /**
   * Greedy captions of images, for understanding accuracy.
   *
   * @param images - float32 `[batch, size, size, 3]` in [0, 1].
   * @param maxLength - most tokens generated per caption.
   * @returns one decoded caption per image (special tokens left out).
   */
  generateCaption(images: tf.Tensor4D, maxLength: number): string[] {
    const embeddings = this.encodeUnderstanding({ images, training: false });
    try {
      return this.captionDecoder.generate(embeddings, { maxLength }).map((ids) => this.tokenizer.decode(ids));
    } finally {
      embeddings.dispose();
    }
  }

  /** The currently trainable parameters with their full names, in parameter order (the contract's `trainableVariables`). */
  trainableNamedVariables(): NamedVariable[] {
    return this.namedParameters({ trainableOnly: true });
  }

  /** A JSON-serialisable copy of the configuration (with the current mode) that recreates this stack. */
  getConfig(): UnderstandingStackConfig {
    return JSON.parse(JSON.stringify({ ...this.config, mode: this.#mode })) as UnderstandingStackConfig;
  }
}

/**
 * Builds an {@link UnderstandingStack} from a preset and overrides.
 *
 * @example
 * const stack = createUnderstandingStack({ preset: 'small', tokenizer, random: new SeededRandom(0), overrides: { mode: 'frozen' } });
 */
export function createUnderstandingStack(options: CreateUnderstandingStackOptions): UnderstandingStack {
  const { preset = 'tiny', overrides, tokenizer, random } = options;
  return new UnderstandingStack({ config: resolveUnderstandingStackConfig(preset, overrides), tokenizer, random });
}
