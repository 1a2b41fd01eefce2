import type { SeededRandom, tf } from '@reca/runtime';
import type { UnifiedModelV1Condition } from './unified-model-v1-condition.js';

/** Options of {@link UnifiedMultimodalModelV1.doEncodeUnderstanding}. */
export interface UnifiedModelV1EncodeUnderstandingOptions {
  /** float32 [batch, height, width, 3] in [0, 1]; height = width, any size the encoder accepts (see `understanding`). */
  images: tf.Tensor4D;
  /** Whether dropout-like training behaviour is on. */
  training: boolean;
}

/** Options of {@link UnifiedMultimodalModelV1.doBuildCondition}. One entry per sample. */
export interface UnifiedModelV1BuildConditionOptions {
  /** The text part per sample: a prompt (text-to-image) or a RecA instruction. `''` means the null prompt. */
  texts: readonly string[];
  /**
   * float32 [batch, tokens, embeddingWidth]: understanding embeddings to place with the text (RecA), or undefined for a
   * pure text condition. recaStep has already applied the gradient policy (stop or scale) to them.
   */
  understandingEmbeddings: tf.Tensor3D | undefined;
  /** Per-sample flags: drop the text part (replace it with the model's null prompt) for classifier-free guidance. */
  dropText: readonly boolean[] | undefined;
  /** Per-sample flags: drop the understanding embeddings (rarely used; BAGEL and Harmon keep the image). */
  dropUnderstanding: readonly boolean[] | undefined;
  training: boolean;
}

/** Options of {@link UnifiedMultimodalModelV1.doGenerationLoss}. */
export interface UnifiedModelV1GenerationLossOptions {
  condition: UnifiedModelV1Condition;
  /** float32 [batch, size, size, 3] in [0, 1] at the generator's native resolution: the images to generate. */
  targetImages: tf.Tensor4D;
  /** Source of every random draw of the loss (masks, noise, timesteps): same state, same loss. */
  random: SeededRandom;
  /** Family-only settings, keyed by family (`{ diffusion: { timestepSampling: 'logit-normal' } }`). */
  adapterOptions: Record<string, Record<string, unknown>> | undefined;
}

/** Options of {@link UnifiedMultimodalModelV1.doUnderstandingLoss}. */
export interface UnifiedModelV1UnderstandingLossOptions {
  /** float32 [batch, size, size, 3] in [0, 1]. */
  images: tf.Tensor4D;
  /** The text the model should produce for each image (a dense caption or an answer). */
  captions: readonly string[];
  random: SeededRandom;
}

/**
 * Options of {@link UnifiedMultimodalModelV1.doAlignmentLoss}: the contrastive term that ties an image's understanding
 * condition (instruction + its understanding embeddings) to its dense caption's condition (pilot variant B, DESIGN.md §2).
 */
export interface UnifiedModelV1AlignmentLossOptions {
  /**
   * float32 [batch, size, size, 3] in [0, 1]: the images as RecA's condition sees them — recaStep has already applied
   * the information bottleneck (resize or blur), so the encoder reads what it reads for a reconstruction condition.
   * At least 2 samples (the other samples of the batch are the negatives).
   */
  images: tf.Tensor4D;
  /** The dense caption of each image, one per image. */
  captions: readonly string[];
  /** Source of every random draw of the loss (e.g. the instruction per sample). */
  random: SeededRandom;
}

/** Options of {@link UnifiedMultimodalModelV1.doSample}. */
export interface UnifiedModelV1SampleOptions {
  /** One condition per image to generate (from `doBuildCondition`, usually with `training: false`). */
  condition: UnifiedModelV1Condition;
  /**
   * The unconditional (null) condition for classifier-free guidance, same batch size; undefined when guidanceScale
   * is 1 or the model does not use guidance.
   */
  unconditionalCondition: UnifiedModelV1Condition | undefined;
  /** Classifier-free guidance scale; 1 means no guidance. */
  guidanceScale: number;
  /** Number of sampling steps (decoding iterations or ODE/SDE steps); undefined = the model's default. */
  steps: number | undefined;
  /** Seed of every random draw of the sampler. */
  seed: number;
  /** Sampling temperature where the family has one; undefined = the model's default. */
  temperature: number | undefined;
  adapterOptions: Record<string, Record<string, unknown>> | undefined;
}
