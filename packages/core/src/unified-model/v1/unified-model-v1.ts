import type { tf } from '@reca/runtime';
import type { TextTokenizer } from '../../tokenizer/text-tokenizer.js';
import type {
  UnifiedModelV1AlignmentLossOptions,
  UnifiedModelV1BuildConditionOptions,
  UnifiedModelV1EncodeUnderstandingOptions,
  UnifiedModelV1GenerationLossOptions,
  UnifiedModelV1SampleOptions,
  UnifiedModelV1UnderstandingLossOptions,
} from './unified-model-v1-call-options.js';
import type { UnifiedModelV1Condition } from './unified-model-v1-condition.js';
import type { UnifiedModelV1LossResult, UnifiedModelV1SampleResult } from './unified-model-v1-results.js';

/** The generator family an adapter implements (DESIGN.md §1). */
export type UnifiedModelFamily = 'autoregressive' | 'masked-autoregressive' | 'diffusion' | 'mock';

/**
 * How the gradient of the generation loss reaches the understanding features:
 * `stop` where the encoder is frozen (BAGEL, OpenUni, Show-o's CLIP), `scale` where it is shared and trainable
 * (Harmon: 0.1).
 */
export type UnderstandingGradientPolicy = { readonly type: 'stop' } | { readonly type: 'scale'; readonly scale: number };

/** What a model says about its understanding side. */
export interface UnifiedModelV1UnderstandingInfo {
  /** Width of the embeddings `doEncodeUnderstanding` returns. */
  readonly embeddingWidth: number;
  /** The resolution the understanding encoder normally reads (pixels, square). */
  readonly imageSize: number;
  /**
   * The lowest resolution the understanding side is used at: RecA's default information bottleneck resizes the
   * condition image to it (BAGEL 224 px for a 512–1024 px generator).
   */
  readonly minimumImageSize: number;
  /** The paper's gradient policy for this model. */
  readonly gradientPolicy: UnderstandingGradientPolicy;
  /** True when understanding and generation share trainable weights (Harmon, Show-o): RecA then mixes in I2T. */
  readonly sharedWithGeneration: boolean;
  /** Name prefixes of the understanding parameters (to check the gradient policy, to freeze them). */
  readonly parameterPrefixes: readonly string[];
}

/**
 * The paper's per-model RecA settings that differ between models (digest §2.6); recaStep uses them unless the user's
 * configuration says otherwise.
 */
export interface UnifiedModelV1RecaDefaults {
  /** Harmon: `{ type: 'null-prompt', probability: 0.1 }`; BAGEL: `{ type: 'drop-text', probability: 0.1 }`. */
  readonly conditionDropout?:
    | { readonly type: 'none' }
    | { readonly type: 'null-prompt' | 'drop-text' | 'drop-all'; readonly probability: number };
  /** Shared-weight models: `{ reconstruction: 1, imageToText: 1 }`; decoupled: `{ imageToText: 0 }`. */
  readonly lossWeights?: {
    readonly reconstruction?: number;
    readonly imageToText?: number;
    readonly textToImage?: number;
    readonly alignment?: number;
  };
}

/** A named trainable parameter. Names follow the reference implementation (`blocks.0.attn.qkv.weight`). */
export type NamedVariable = readonly [name: string, variable: tf.Variable];

/**
 * A unified multimodal model, as RecA needs it: understanding (image → dense embeddings), conditions for the
 * generator built from text and/or understanding embeddings, the model's native generation loss, an optional
 * understanding (image-to-text) loss, sampling, parameters and weights.
 *
 * Methods carry a `do` prefix: users call `recaStep` and the samplers, not these (as in the AI SDK's provider spec).
 * Every tensor a method returns is owned by the caller. Family-only settings travel in `adapterOptions`.
 */
export interface UnifiedMultimodalModelV1 {
  readonly specificationVersion: 'v1';
  readonly family: UnifiedModelFamily;
  /** The adapter package, e.g. `'@reca/adapter-diffusion'`. */
  readonly adapter: string;
  /** Model identifier, e.g. `'dit-flow-tiny'`. */
  readonly modelId: string;
  /** The generator's native resolution (pixels, square); targets must have this size. */
  readonly imageSize: number;
  readonly understanding: UnifiedModelV1UnderstandingInfo;
  /** The tokenizer the model reads text with. */
  readonly tokenizer: TextTokenizer;
  /** The null prompt used for guidance (Harmon: "Generate an image."). */
  readonly nullPrompt: string;
  /** This model's paper defaults for recaStep. */
  readonly recaDefaults?: UnifiedModelV1RecaDefaults;

  /**
   * Dense understanding embeddings of images: float32 [batch, tokens, understanding.embeddingWidth].
   * Runs inside recaStep's gradient tape; recaStep applies the gradient policy to the result.
   */
  doEncodeUnderstanding(options: UnifiedModelV1EncodeUnderstandingOptions): tf.Tensor3D;

  /**
   * Optional asynchronous twin of {@link doEncodeUnderstanding}, for understanding encoders that can only run
   * asynchronously (ONNX Runtime). recaStep awaits it, before the gradient tape opens, when the gradient into the
   * understanding features is stopped; with a `scale` policy the synchronous method is used.
   */
  doEncodeUnderstandingAsync?(options: UnifiedModelV1EncodeUnderstandingOptions): Promise<tf.Tensor3D>;

  /** The condition sequence the generator reads, from text and optionally understanding embeddings. */
  doBuildCondition(options: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition;

  /** The model's native generation loss for `targetImages` given `condition` (CE, MAR diffusion loss, flow MSE). */
  doGenerationLoss(options: UnifiedModelV1GenerationLossOptions): UnifiedModelV1LossResult;

  /** Image-to-text loss (CE on caption tokens), for models whose understanding must be preserved. */
  doUnderstandingLoss?(options: UnifiedModelV1UnderstandingLossOptions): UnifiedModelV1LossResult;

  /**
   * Contrastive alignment of the understanding condition with the text condition (optional): a loss that is low when
   * the condition built from an image's understanding embeddings (wrapped in an instruction) is closer to the condition
   * of that image's dense caption than to the other captions' of the batch. recaStep uses it for `'alignment'`
   * micro-batches (weight `lossWeights.alignment`, default 0). Models without it cannot train such micro-batches.
   */
  doAlignmentLoss?(options: UnifiedModelV1AlignmentLossOptions): UnifiedModelV1LossResult;

  /** Generates images for a batch of conditions. */
  doSample(options: UnifiedModelV1SampleOptions): Promise<UnifiedModelV1SampleResult>;

  /** Trainable parameters in a stable order. Frozen parts (a frozen encoder, a frozen VAE) are not listed. */
  trainableVariables(): readonly NamedVariable[];

  /** Every weight (trainable or not) by reference name, for checkpoints. The tensors stay owned by the model. */
  namedWeights(): Record<string, tf.Tensor>;

  /** Assigns weights by name; throws ShapeMismatchError / an error listing missing or unexpected names. */
  loadNamedWeights(weights: Record<string, tf.Tensor>): void;

  /** The JSON configuration that recreates this model (stored in checkpoints). */
  getConfig(): Record<string, unknown>;

  dispose(): void;
}
