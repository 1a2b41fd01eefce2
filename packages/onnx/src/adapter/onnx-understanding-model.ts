import {
  degradeImages,
  type RecaStepInput,
  type RecaTrainingState,
  type NamedVariable,
  type TextTokenizer,
  type UnifiedModelFamily,
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
} from '@reca/core';
import { InvalidArgumentError, tf } from '@reca/runtime';
import type { OnnxUnderstandingEncoder } from '../encoder/onnx-understanding-encoder.js';
import type { HostTensor } from '../encoder/model-output-to-tokens.js';
import { OnnxModelMismatchError } from '../errors/onnx-model-mismatch-error.js';
import { UnderstandingNotPrecomputedError } from '../errors/understanding-not-precomputed-error.js';
import { type EmbeddingProjector, encodeUnderstandingToHost } from './create-onnx-encode-understanding.js';
import { imagesFingerprint } from './images-fingerprint.js';

/** Options of {@link withOnnxUnderstanding}. */
export interface WithOnnxUnderstandingOptions {
  /** The frozen ONNX encoder that replaces the model's own understanding encoder. */
  encoder: OnnxUnderstandingEncoder;
  /** A frozen tfjs projector after the ONNX encoder (when it was not exported into the ONNX model). @default none */
  projector?: EmbeddingProjector;
}

/**
 * A unified model whose understanding path is a frozen ONNX Runtime encoder; everything else (condition, generation
 * loss, I2T loss, sampling, parameters, checkpoints) is the wrapped model's.
 *
 * **Why precomputation.** The contract's `doEncodeUnderstanding` is synchronous (recaStep calls it inside `tf.tidy`
 * and, for the `'scale'` policy, inside the gradient tape), while ONNX Runtime only runs asynchronously. With a frozen
 * encoder (`'stop'` policy) recaStep computes the embeddings outside the tape from deterministically degraded images,
 * so they can be computed *before* the step instead: {@link precomputeForRecaStep} degrades each reconstruction
 * micro-batch exactly as recaStep will (same bottleneck, same minimum size), runs ONNX Runtime on it and keeps the
 * embeddings' host values under a content key (shape + SHA-256 of the pixels). During the step,
 * {@link doEncodeUnderstanding} hashes the degraded images it is given and returns a new tensor built from the stored
 * values — a constant to the tape (stop-gradient by construction). Images nobody precomputed raise
 * {@link UnderstandingNotPrecomputedError}; nothing falls back silently. `recaStepWithOnnxUnderstanding` does
 * precompute → step → clear in one call.
 *
 * The wrapper always declares `gradientPolicy: { type: 'stop' }` and `sharedWithGeneration: false` (a frozen,
 * decoupled understanding path); a `'scale'` policy in the RecA configuration is refused. The wrapped model's own
 * understanding parameters stay in its `trainableVariables()`, but the reconstruction loss gives them no gradient.
 */
export class OnnxUnderstandingModel implements UnifiedMultimodalModelV1 {
  readonly specificationVersion = 'v1' as const;
  readonly family: UnifiedModelFamily;
  readonly adapter: string;
  readonly modelId: string;
  readonly imageSize: number;
  readonly understanding: UnifiedModelV1UnderstandingInfo;
  readonly tokenizer: TextTokenizer;
  readonly nullPrompt: string;
  readonly recaDefaults?: UnifiedModelV1RecaDefaults;
  /** The wrapped model's I2T loss (with its own tfjs encoder), when it has one. */
  readonly doUnderstandingLoss?: (options: UnifiedModelV1UnderstandingLossOptions) => UnifiedModelV1LossResult;
  /** The wrapped model. */
  readonly model: UnifiedMultimodalModelV1;
  /** The ONNX encoder. Not released by {@link dispose}: `await encoder.dispose()` when done. */
  readonly encoder: OnnxUnderstandingEncoder;
  readonly #projector: EmbeddingProjector | undefined;
  readonly #precomputed = new Map<string, HostTensor>();

  constructor(model: UnifiedMultimodalModelV1, options: WithOnnxUnderstandingOptions) {
    if (model?.specificationVersion !== 'v1') {
      throw new InvalidArgumentError({ argument: 'model', message: `must implement UnifiedMultimodalModelV1 (specificationVersion 'v1')` });
    }
    if (!options?.encoder) throw new InvalidArgumentError({ argument: 'options.encoder', message: 'an OnnxUnderstandingEncoder is required' });
    this.model = model;
    this.encoder = options.encoder;
    this.#projector = options.projector;
    this.family = model.family;
    this.adapter = model.adapter;
    this.modelId = model.modelId;
    this.imageSize = model.imageSize;
    this.tokenizer = model.tokenizer;
    this.nullPrompt = model.nullPrompt;
    this.recaDefaults = model.recaDefaults;
    this.understanding = { ...model.understanding, gradientPolicy: { type: 'stop' }, sharedWithGeneration: false };
    if (model.doUnderstandingLoss) {
      const understandingLoss = model.doUnderstandingLoss.bind(model);
      this.doUnderstandingLoss = (lossOptions) => understandingLoss(lossOptions);
    }
  }

  /** Number of image batches whose embeddings are held. */
  get precomputedCount(): number {
    return this.#precomputed.size;
  }

  /**
   * Runs the ONNX encoder on exactly these images and keeps the embeddings for {@link doEncodeUnderstanding}.
   *
   * @param images - float32 `[batch, size, size, 3]` in [0, 1], as `doEncodeUnderstanding` will receive them (already
   *   degraded). Not disposed.
   * @throws OnnxModelMismatchError when the embeddings' width differs from `understanding.embeddingWidth`.
   */
  async precomputeUnderstanding(images: tf.Tensor4D): Promise<void> {
    const key = imagesFingerprint(images);
    if (this.#precomputed.has(key)) return;
    const embeddings = await encodeUnderstandingToHost(this.encoder, images, this.#projector);
    const width = embeddings.shape[2];
    if (width !== this.understanding.embeddingWidth) {
      throw new OnnxModelMismatchError({
        modelName: this.encoder.info.modelName,
        tensorName: this.encoder.info.outputName,
        expected: `embeddings of width ${this.understanding.embeddingWidth} (model '${this.modelId}' understanding.embeddingWidth)${this.#projector ? ' after the projector' : ''}`,
        actual: `shape [${embeddings.shape.join(', ')}]`,
        hint: 'Export the encoder with its projector, or pass the projector that maps its tokens to the model width',
      });
    }
    this.#precomputed.set(key, embeddings);
  }

  /**
   * Precomputes the understanding embeddings of every reconstruction micro-batch of one `recaStep(state, input)`
   * call: each batch is degraded with the state's bottleneck exactly as recaStep does, then encoded.
   *
   * @param state - the training state whose `model` is this wrapper.
   * @param input - the input the next recaStep receives.
   * @throws InvalidArgumentError when `state.model` is not this wrapper, or the configuration asks for a `'scale'`
   *   understanding gradient (a frozen ONNX encoder has none).
   */
  async precomputeForRecaStep(state: RecaTrainingState, input: RecaStepInput): Promise<void> {
    if (state.model !== this) {
      throw new InvalidArgumentError({ argument: 'state.model', message: `must be this OnnxUnderstandingModel ('${this.modelId}'), not the model it wraps or another` });
    }
    const policy = state.config.understandingGradient ?? this.understanding.gradientPolicy;
    if (policy.type !== 'stop') {
      throw new InvalidArgumentError({
        argument: 'state.config.understandingGradient',
        message: `must be { type: 'stop' } with a frozen ONNX understanding encoder (no gradient flows through ONNX Runtime), got { type: '${policy.type}' }`,
      });
    }
    for (const batch of input.batches) {
      if (batch.kind !== 'reconstruction') continue;
      const degraded = degradeImages(batch.images, state.config.bottleneck, this.understanding.minimumImageSize);
      try {
        await this.precomputeUnderstanding(degraded);
      } finally {
        degraded.dispose();
      }
    }
  }

  /** Drops every precomputed embedding. */
  clearPrecomputed(): void {
    this.#precomputed.clear();
  }

  /**
   * Understanding embeddings straight from ONNX Runtime (no precomputation needed). recaStep awaits this (the
   * contract's optional asynchronous encoder) because the gradient policy is `stop`, so plain `recaStep` works with
   * the wrapped model; the precomputation path serves callers of the synchronous {@link doEncodeUnderstanding}.
   *
   * @returns float32 `[batch, tokens, embeddingWidth]`; the caller owns it.
   */
  async doEncodeUnderstandingAsync(options: UnifiedModelV1EncodeUnderstandingOptions): Promise<tf.Tensor3D> {
    const { values, shape } = await encodeUnderstandingToHost(this.encoder, options.images, this.#projector);
    return tf.tensor3d(values, shape as [number, number, number], 'float32');
  }

  /**
   * The precomputed embeddings of exactly `options.images`.
   *
   * @returns float32 `[batch, tokens, embeddingWidth]`, a new tensor (the caller owns it) with no gradient path.
   * @throws UnderstandingNotPrecomputedError when these pixels were not precomputed.
   */
  doEncodeUnderstanding(options: UnifiedModelV1EncodeUnderstandingOptions): tf.Tensor3D {
    const embeddings = this.#precomputed.get(imagesFingerprint(options.images));
    if (!embeddings) {
      throw new UnderstandingNotPrecomputedError({ modelId: this.modelId, imagesShape: options.images.shape, precomputedCount: this.#precomputed.size });
    }
    return tf.tensor3d(embeddings.values, embeddings.shape as [number, number, number], 'float32');
  }

  doBuildCondition(options: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition {
    return this.model.doBuildCondition(options);
  }

  doGenerationLoss(options: UnifiedModelV1GenerationLossOptions): UnifiedModelV1LossResult {
    return this.model.doGenerationLoss(options);
  }

  doSample(options: UnifiedModelV1SampleOptions): Promise<UnifiedModelV1SampleResult> {
    return this.model.doSample(options);
  }

  trainableVariables(): readonly NamedVariable[] {
    return this.model.trainableVariables();
  }

  namedWeights(): Record<string, tf.Tensor> {
    return this.model.namedWeights();
  }

  loadNamedWeights(weights: Record<string, tf.Tensor>): void {
    this.model.loadNamedWeights(weights);
  }

  getConfig(): Record<string, unknown> {
    return this.model.getConfig();
  }

  /** Disposes the wrapped model and drops the precomputed embeddings (the encoder's session is released separately). */
  dispose(): void {
    this.#precomputed.clear();
    this.model.dispose();
  }
}

/**
 * Makes a frozen ONNX Runtime encoder the understanding path of any adapter's model (see
 * {@link OnnxUnderstandingModel} for how the asynchronous encoder meets the synchronous contract).
 *
 * @example
 * const encoder = await OnnxUnderstandingEncoder.create({ model: exported.bytes, ...exported.encoderOptions });
 * const model = withOnnxUnderstanding(createDiffusionUmm({ preset: 'tiny' }), { encoder });
 * const state = createRecaTrainingState({ model, seed: 0 });
 * const result = await recaStepWithOnnxUnderstanding(state, { batches: [{ kind: 'reconstruction', images }] });
 */
export function withOnnxUnderstanding(model: UnifiedMultimodalModelV1, options: WithOnnxUnderstandingOptions): OnnxUnderstandingModel {
  return new OnnxUnderstandingModel(model, options);
}
