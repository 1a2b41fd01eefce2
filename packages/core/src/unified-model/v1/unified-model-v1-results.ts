import type { tf } from '@reca/runtime';

/** Something a model could not honour, reported instead of being silently ignored. */
export interface UnifiedModelV1Warning {
  readonly type: 'unsupported' | 'other';
  /** The option or feature concerned, e.g. `'temperature'`. */
  readonly feature: string;
  readonly details?: string;
}

/** Result of {@link UnifiedMultimodalModelV1.doGenerationLoss}. */
export interface UnifiedModelV1LossResult {
  /** float32 scalar: the model's native generation (or understanding) loss; the caller owns it. */
  loss: tf.Scalar;
  /** How the loss was normalised: a mean over samples, over (masked) tokens, or over pixels/latent elements. */
  normalization: 'samples' | 'tokens' | 'masked-tokens' | 'elements';
  warnings: UnifiedModelV1Warning[];
}

/** Result of {@link UnifiedMultimodalModelV1.doSample}. */
export interface UnifiedModelV1SampleResult {
  /** float32 [batch, size, size, 3] in [0, 1]; the caller owns it. */
  images: tf.Tensor4D;
  warnings: UnifiedModelV1Warning[];
}
