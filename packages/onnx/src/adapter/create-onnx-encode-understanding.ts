import type { UnifiedModelV1EncodeUnderstandingOptions } from '@reca/core';
import { tf } from '@reca/runtime';
import type { OnnxUnderstandingEncoder } from '../encoder/onnx-understanding-encoder.js';
import type { HostTensor } from '../encoder/model-output-to-tokens.js';

/** A tfjs module mapping encoder tokens to understanding embeddings (e.g. `UnderstandingStack.projector`). */
export interface EmbeddingProjector {
  /**
   * @param tokens - float32 `[batch, tokens, encoderWidth]`.
   * @returns float32 `[batch, tokens, embeddingWidth]`; the caller owns it.
   */
  forward(tokens: tf.Tensor): tf.Tensor;
}

/** Options of {@link createOnnxEncodeUnderstanding}. */
export interface OnnxEncodeUnderstandingOptions {
  /**
   * A frozen tfjs projector applied to the ONNX encoder's tokens (when the projector was not exported with the
   * encoder). It runs outside any gradient tape, so its parameters get no gradient from these embeddings.
   * @default none (the encoder's output is the embedding)
   */
  projector?: EmbeddingProjector;
}

/** The asynchronous counterpart of the contract's `doEncodeUnderstanding`. */
export type EncodeUnderstandingAsync = (options: UnifiedModelV1EncodeUnderstandingOptions) => Promise<tf.Tensor3D>;

/**
 * Runs the ONNX encoder (and the optional tfjs projector) and returns the embeddings' host values.
 *
 * @param images - float32 `[batch, size, size, 3]` in [0, 1].
 * @returns float32 `[batch, tokens, width]` values and shape (no tensor outlives the call).
 */
export async function encodeUnderstandingToHost(
  encoder: OnnxUnderstandingEncoder,
  images: tf.Tensor4D,
  projector: EmbeddingProjector | undefined,
): Promise<HostTensor> {
  const tokens = await encoder.encodeToHost(images);
  if (!projector) return tokens;
  const projected = tf.tidy(() => projector.forward(tf.tensor3d(tokens.values, tokens.shape as [number, number, number], 'float32')));
  try {
    return { values: (await projected.data()) as Float32Array, shape: projected.shape };
  } finally {
    projected.dispose();
  }
}

/**
 * An `encodeUnderstanding`-compatible **asynchronous** function backed by an {@link OnnxUnderstandingEncoder}: same
 * options and result as the contract's `doEncodeUnderstanding`, but a promise. Use it where code can await (eval,
 * captioning, precomputing embeddings); `recaStep` calls the synchronous method, see `withOnnxUnderstanding`.
 *
 * The result is a new tensor made from host values: no gradient reaches the encoder or the projector (the `'stop'`
 * gradient policy by construction); `training` has no effect (a frozen encoder has no dropout).
 *
 * @example
 * const encodeUnderstanding = createOnnxEncodeUnderstanding(encoder, { projector: stack.projector });
 * const embeddings = await encodeUnderstanding({ images, training: false }); // float32 [batch, tokens, embeddingWidth]
 */
export function createOnnxEncodeUnderstanding(encoder: OnnxUnderstandingEncoder, options: OnnxEncodeUnderstandingOptions = {}): EncodeUnderstandingAsync {
  const { projector } = options;
  return async ({ images }) => {
    const { values, shape } = await encodeUnderstandingToHost(encoder, images, projector);
    return tf.tensor3d(values, shape as [number, number, number], 'float32');
  };
}
