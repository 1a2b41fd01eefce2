import {
  disposeCondition,
  type NamedVariable,
  reconstructionInstructions,
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
  type UnifiedMultimodalModelV1,
  type WordLevelTokenizer,
} from '@reca/core';
import { InvalidArgumentError, type Module, SeededRandom, ShapeMismatchError, tf, WeightNamesMismatchError, withoutGradient } from '@reca/runtime';
import { UnderstandingStack } from '@reca/understanding';
import { Autoencoder } from './autoencoder/autoencoder.js';
import { DiffusionTransformer } from './denoiser/diffusion-transformer.js';
import { parseDiffusionAdapterOptions } from './diffusion-adapter-options.js';
import { type DiffusionUmmConfig, validateDiffusionUmmConfig } from './diffusion-umm-config.js';
import { AutoencoderLatentSpace } from './latent/autoencoder-latent-space.js';
import { PixelLatentSpace } from './latent/pixel-latent-space.js';
import { classifierFreeGuidance } from './samplers/classifier-free-guidance.js';
import { concatenateConditions } from './samplers/concatenate-conditions.js';
import { createFlowSampler } from './samplers/create-flow-sampler.js';
import { FlowMatchSchedule } from './schedules/flow-match-schedule.js';

/** Options of the {@link DiffusionUmm} constructor. */
export interface DiffusionUmmOptions {
  /** A complete configuration (`resolveDiffusionUmmConfig(preset, overrides)`). */
  config: DiffusionUmmConfig;
  /** The tokenizer of prompts and instructions (saved with the model as JSON). */
  tokenizer: WordLevelTokenizer;
  /** Seed of the initial weights (understanding, denoiser and autoencoder draw from named forks of it). @default 0 */
  seed?: number;
}

/** The JSON {@link DiffusionUmm.getConfig} returns: what recreates the model (weights aside). */
export interface DiffusionUmmSavedConfig extends DiffusionUmmConfig {
  /** `WordLevelTokenizer.toJSON()`. */
  tokenizer: ReturnType<WordLevelTokenizer['toJSON']>;
  /** The initialisation seed. */
  seed: number;
}

/** Name prefix of the autoencoder's weights (OpenUni/diffusers pipelines keep it as `vae`). */
export const autoencoderWeightPrefix = 'vae.';

/**
 * A unified model of the diffusion family (OpenUni / BAGEL style, DESIGN.md §1): a frozen understanding encoder, a
 * trainable text side that turns a prompt — or, for RecA, an instruction and understanding embeddings — into the
 * condition sequence, and a DiT that generates latents by rectified flow read from that condition.
 *
 * | contract | here |
 * | --- | --- |
 * | understanding, condition, I2T loss | the shared `UnderstandingStack` (`frozen`: gradient `stop`, decoupled UMM) |
 * | `doGenerationLoss` | flow matching: x_t = (1 − t)·x0 + t·ε, MSE to ε − x0, t uniform or sigmoid(N(0, 1)), shift |
 * | `doSample` | Euler or Heun ODE from t = 1 to 0, classifier-free guidance against the null-prompt condition |
 * | `recaDefaults` | BAGEL's text-only condition dropout p = 0.1; reconstruction only (I2T weight 0) |
 *
 * Weight names: `understanding.*` / `text.*` (the stack), the DiT's own names at the top level (`x_embedder.proj.weight`,
 * `blocks.0.attn.qkv.weight`, `final_layer.linear.weight`, …) and `vae.encoder.*` / `vae.decoder.*`.
 */
export class DiffusionUmm implements UnifiedMultimodalModelV1 {
  readonly specificationVersion = 'v1' as const;
  readonly family = 'diffusion' as const;
  readonly adapter = '@reca/adapter-diffusion';
  readonly modelId: string;
  readonly imageSize: number;
  readonly tokenizer: WordLevelTokenizer;
  /**
   * BAGEL's RecA settings (digest §2.5): the text prompt is dropped with p = 0.1 (`text_cond_dropout_prob`), the ViT
   * tokens never; understanding frozen, so reconstruction only (no I2T mixing).
   */
  readonly recaDefaults: UnifiedModelV1RecaDefaults = { conditionDropout: { type: 'drop-text', probability: 0.1 }, lossWeights: { imageToText: 0 } };
  /** The understanding and text sides (kept as a field, not a child module: its names carry their own prefixes). */
  readonly stack: UnderstandingStack;
  readonly denoiser: DiffusionTransformer;
  /** The autoencoder, when the latent space is `'autoencoder'`; never trainable inside the model. */
  readonly autoencoder: Autoencoder | null;
  readonly latentSpace: PixelLatentSpace | AutoencoderLatentSpace;
  /** The training schedule of the configuration (calls may override it through `adapterOptions`). */
  readonly schedule: FlowMatchSchedule;
  readonly seed: number;
  readonly #config: DiffusionUmmConfig;

  constructor(options: DiffusionUmmOptions) {
    const { config, tokenizer, seed = 0 } = options;
    validateDiffusionUmmConfig(config);
    this.#config = JSON.parse(JSON.stringify(config)) as DiffusionUmmConfig;
    this.seed = seed;
    this.modelId = config.modelId;
    this.imageSize = config.imageSize;
    this.tokenizer = tokenizer;
    const random = new SeededRandom(seed);
    this.stack = new UnderstandingStack({ config: config.understanding, tokenizer, random: random.fork('understanding') });
    const { latent } = config;
    if (latent.type === 'autoencoder') {
      this.autoencoder = new Autoencoder(latent.autoencoder, random.fork('autoencoder')).setTrainable(false);
      this.latentSpace = new AutoencoderLatentSpace(this.autoencoder, latent.scale ?? 1, latent.shift ?? 0);
    } else {
      this.autoencoder = null;
      this.latentSpace = new PixelLatentSpace(latent.scale ?? 1, latent.shift ?? 0);
    }
    this.denoiser = new DiffusionTransformer(
      {
        ...config.denoiser,
        inputSize: config.imageSize / this.latentSpace.downsamplingFactor,
        inChannels: this.latentSpace.channels,
        conditionWidth: this.stack.conditionWidth,
      },
      random.fork('denoiser'),
    );
    this.schedule = new FlowMatchSchedule({ timestepSampling: config.flowMatching.timestepSampling, shift: config.flowMatching.timestepShift });
  }

  /** The stack's description: frozen encoder, gradient `stop`, not shared with generation (unless switched). */
  get understanding(): UnifiedModelV1UnderstandingInfo {
    return this.stack.understandingInfo;
  }

  /** The stack's null prompt: the unconditional branch of guidance and the replacement for dropped text. */
  get nullPrompt(): string {
    return this.stack.nullPrompt;
  }

  /** Side of the latent grid the DiT denoises. */
  get latentSize(): number {
    return this.imageSize / this.latentSpace.downsamplingFactor;
  }

  doEncodeUnderstanding(options: UnifiedModelV1EncodeUnderstandingOptions): tf.Tensor3D {
    return this.stack.encodeUnderstanding(options);
  }

  doBuildCondition(options: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition {
    return this.stack.buildCondition(options);
  }

  /**
   * The flow-matching loss (OpenUni `diff_loss`, BAGEL `mse`): latents x0 of the targets (no gradient), noise ε and one
   * timestep per image from `random`, `x_t = (1 − t)·x0 + t·ε`, and the mean over all latent elements of
   * `(DiT(x_t, t, condition) − (ε − x0))²`.
   */
  doGenerationLoss(options: UnifiedModelV1GenerationLossOptions): UnifiedModelV1LossResult {
    const { condition, targetImages, random, adapterOptions } = options;
    const size = this.imageSize;
    if (targetImages.rank !== 4 || targetImages.shape[1] !== size || targetImages.shape[2] !== size || targetImages.shape[3] !== 3) {
      throw new ShapeMismatchError({ tensorName: 'targetImages', expected: [null, size, size, 3], actual: targetImages.shape, context: `DiffusionUmm.doGenerationLoss ('${this.modelId}')` });
    }
    const batchSize = targetImages.shape[0];
    if (condition.embeddings.shape[0] !== batchSize) {
      throw new ShapeMismatchError({ tensorName: 'condition.embeddings', expected: [batchSize, null, this.stack.conditionWidth], actual: condition.embeddings.shape, context: 'DiffusionUmm.doGenerationLoss' });
    }
    const { options: diffusionOptions, warnings } = parseDiffusionAdapterOptions(adapterOptions);
    const schedule =
      diffusionOptions.timestepSampling || diffusionOptions.timestepShift !== undefined
        ? new FlowMatchSchedule({
            timestepSampling: diffusionOptions.timestepSampling ?? this.schedule.timestepSampling,
            shift: diffusionOptions.timestepShift ?? this.schedule.shift,
          })
        : this.schedule;
    const latentSize = this.latentSize;
    const noiseValues = random.normalArray(batchSize * latentSize * latentSize * this.latentSpace.channels);
    const timestepValues = schedule.sampleTimesteps(batchSize, random);
    const loss = tf.tidy(() => {
      const sample = withoutGradient(() => this.latentSpace.encode(targetImages)) as tf.Tensor4D; // x0 [b, s, s, C], frozen encoder off the tape
      const noise = tf.tensor4d(noiseValues, sample.shape);
      const timesteps = tf.tensor1d(timestepValues);
      const noisy = schedule.addNoise(sample, noise, timesteps) as tf.Tensor4D;
      const prediction = this.denoiser.forward(noisy, timesteps, condition);
      const target = schedule.getTarget(sample, noise, 'flow');
      return tf.mean(tf.squaredDifference(prediction, target)) as tf.Scalar;
    });
    return { loss, normalization: 'elements', warnings };
  }

  doUnderstandingLoss(options: UnifiedModelV1UnderstandingLossOptions): UnifiedModelV1LossResult {
    return this.stack.understandingLoss({ images: options.images, captions: options.captions });
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
   * Integrates the flow ODE from Gaussian noise (drawn from `seed`) at t = 1 to latents at t = 0 with the Euler or
   * Heun sampler, guiding every velocity as `v_u + scale·(v_c − v_u)` (one batched DiT call for both branches), and
   * decodes the latents. The unconditional branch reads `unconditionalCondition`; when it is missing and the scale is
   * not 1, the condition of the stack's null prompt (text only) is built and used.
   */
  async doSample(options: UnifiedModelV1SampleOptions): Promise<UnifiedModelV1SampleResult> {
    const { condition, unconditionalCondition, guidanceScale, seed, temperature, adapterOptions } = options;
    const { options: diffusionOptions, warnings } = parseDiffusionAdapterOptions(adapterOptions);
    if (temperature !== undefined) {
      warnings.push({ type: 'unsupported', feature: 'temperature', details: 'the flow ODE samplers are deterministic given the initial noise; temperature is ignored' });
    }
    const steps = options.steps ?? this.#config.sampling.steps;
    if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError({ argument: 'steps', message: `must be a positive integer, got ${steps}` });
    if (!Number.isFinite(guidanceScale)) throw new InvalidArgumentError({ argument: 'guidanceScale', message: `must be finite, got ${guidanceScale}` });
    const batchSize = condition.embeddings.shape[0];
    if (unconditionalCondition && unconditionalCondition.embeddings.shape[0] !== batchSize) {
      throw new ShapeMismatchError({
        tensorName: 'unconditionalCondition.embeddings',
        expected: [batchSize, null, this.stack.conditionWidth],
        actual: unconditionalCondition.embeddings.shape,
        context: 'DiffusionUmm.doSample',
      });
    }
    const sampler = createFlowSampler(diffusionOptions.sampler ?? this.#config.sampling.sampler);
    const timesteps = FlowMatchSchedule.samplingTimesteps(steps, diffusionOptions.samplingShift ?? this.#config.sampling.shift);
    const guided = guidanceScale !== 1;
    const nullCondition =
      guided && !unconditionalCondition ? this.#nullPromptCondition(batchSize) : undefined;
    const combined = guided ? concatenateConditions(condition, unconditionalCondition ?? (nullCondition as UnifiedModelV1Condition)) : undefined;
    if (nullCondition) disposeCondition(nullCondition);
    const latentSize = this.latentSize;
    const random = new SeededRandom(seed);
    const initial = random.normalTensor([batchSize, latentSize, latentSize, this.latentSpace.channels]);
    try {
      const velocity = (sample: tf.Tensor, time: number): tf.Tensor =>
        tf.tidy(() => {
          if (!combined) return this.denoiser.forward(sample as tf.Tensor4D, tf.fill([batchSize], time) as tf.Tensor1D, condition);
          const doubled = tf.concat([sample, sample], 0) as tf.Tensor4D; // [2b, s, s, C]
          const predicted = this.denoiser.forward(doubled, tf.fill([2 * batchSize], time) as tf.Tensor1D, combined);
          const [conditional, unconditional] = tf.split(predicted, 2, 0) as [tf.Tensor, tf.Tensor];
          return classifierFreeGuidance(conditional, unconditional, guidanceScale);
        });
      const latents = sampler.sample({ initial, velocity, timesteps }) as tf.Tensor4D;
      const images = this.latentSpace.decode(latents);
      latents.dispose();
      await images.data(); // let the backend finish before returning (and keep webgpu's queue short)
      return { images, warnings };
    } finally {
      initial.dispose();
      if (combined) tf.dispose([combined.embeddings, combined.mask]);
    }
  }

  /** The condition of the null prompt (text only) for `batchSize` samples; the caller owns it. */
  #nullPromptCondition(batchSize: number): UnifiedModelV1Condition {
    const texts = new Array<string>(batchSize).fill('');
    return this.stack.buildCondition({ texts, understandingEmbeddings: undefined, dropText: texts.map(() => true), dropUnderstanding: undefined, training: false });
  }

  trainableVariables(): readonly NamedVariable[] {
    return [...this.stack.trainableNamedVariables(), ...this.denoiser.namedParameters({ trainableOnly: true })];
  }

  namedWeights(): Record<string, tf.Tensor> {
    const weights: Record<string, tf.Tensor> = {};
    for (const [name, module] of this.#parts()) for (const [local, tensor] of module.namedWeights()) weights[`${name}${local}`] = tensor;
    return weights;
  }

  /**
   * Assigns every weight by name. Everything is checked first (names, then shapes), so a failed load changes nothing.
   *
   * @throws WeightNamesMismatchError listing missing and unexpected names.
   * @throws ShapeMismatchError naming the first weight of another shape.
   */
  loadNamedWeights(weights: Record<string, tf.Tensor>): void {
    const parts = this.#parts();
    const expected = new Map<string, tf.Variable>();
    for (const [prefix, module] of parts) for (const [local, variable] of module.namedParameters()) expected.set(`${prefix}${local}`, variable);
    const missing = [...expected.keys()].filter((name) => !(name in weights));
    const unexpected = Object.keys(weights).filter((name) => !expected.has(name));
    if (missing.length > 0 || unexpected.length > 0) throw new WeightNamesMismatchError({ missing, unexpected, context: `DiffusionUmm.loadNamedWeights ('${this.modelId}')` });
    for (const [name, variable] of expected) {
      const value = weights[name] as tf.Tensor;
      if (value.rank !== variable.rank || value.shape.some((size, index) => size !== variable.shape[index])) {
        throw new ShapeMismatchError({ tensorName: name, expected: variable.shape, actual: value.shape, context: 'DiffusionUmm.loadNamedWeights' });
      }
    }
    for (const [prefix, module] of parts) {
      const own: Record<string, tf.Tensor> = {};
      for (const [local] of module.namedParameters()) own[local] = weights[`${prefix}${local}`] as tf.Tensor;
      module.loadNamedWeights(own);
    }
  }

  /** The configuration that recreates this model: the resolved config (current latent normalisation and stack mode), the tokenizer and the seed. */
  getConfig(): DiffusionUmmSavedConfig & Record<string, unknown> {
    const config: DiffusionUmmConfig = JSON.parse(JSON.stringify(this.#config)) as DiffusionUmmConfig;
    config.latent = { ...config.latent, scale: this.latentSpace.scale, shift: this.latentSpace.shift };
    config.understanding = this.stack.getConfig();
    return { ...config, tokenizer: this.tokenizer.toJSON(), seed: this.seed };
  }

  dispose(): void {
    this.stack.dispose();
    this.denoiser.dispose();
    this.autoencoder?.dispose();
  }

  /** The modules and their name prefixes, in weight order. */
  #parts(): Array<[string, Module]> {
    const parts: Array<[string, Module]> = [
      ['', this.stack],
      ['', this.denoiser],
    ];
    if (this.autoencoder) parts.push([autoencoderWeightPrefix, this.autoencoder]);
    return parts;
  }
}

