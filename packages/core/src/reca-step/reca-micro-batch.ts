import type { tf } from '@reca/runtime';

/**
 * One single-source micro-batch of a RecA optimisation step (Harmon's fixed-batch multi-source sampling: each
 * micro-batch comes from one source; a step averages the gradients of its micro-batches).
 * Images are float32 [batch, size, size, 3] in [0, 1] at the generator's native resolution (`model.imageSize`).
 * recaStep does not dispose them.
 */
export type RecaMicroBatch =
  /** RecA: regenerate the images from the understanding embeddings of their degraded copies. No captions needed. */
  | { readonly kind: 'reconstruction'; readonly images: tf.Tensor4D }
  /** Understanding (image-to-text) batch that keeps a shared-weight model's understanding from collapsing. */
  | { readonly kind: 'image-to-text'; readonly images: tf.Tensor4D; readonly captions: readonly string[] }
  /** Ordinary text-to-image batch (weight 0 by default in RecA). */
  | { readonly kind: 'text-to-image'; readonly images: tf.Tensor4D; readonly prompts: readonly string[] }
  /**
   * Contrastive alignment (`doAlignmentLoss`): each image's understanding condition (after the bottleneck) against its
   * dense caption's condition; the batch's other captions are the negatives (≥ 2 images). Weight 0 by default.
   */
  | { readonly kind: 'alignment'; readonly images: tf.Tensor4D; readonly captions: readonly string[] };

export type RecaLossPart = RecaMicroBatch['kind'];
