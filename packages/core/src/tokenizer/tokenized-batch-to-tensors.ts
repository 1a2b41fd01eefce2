import { tf } from '@reca/runtime';
import type { TokenizedBatch } from './tokenized-batch.js';

/** The tensors of a {@link TokenizedBatch}. */
export interface TokenizedBatchTensors {
  /** int32 [batchSize, sequenceLength] token ids. */
  ids: tf.Tensor2D;
  /** int32 [batchSize, sequenceLength], 1 for real tokens and 0 for padding. */
  attentionMask: tf.Tensor2D;
}

/**
 * Turns a tokenized batch into two int32 tensors. The caller owns the returned tensors and must dispose them
 * (or create them inside `tf.tidy`).
 *
 * @param batch - ids and attention mask, int32 [batchSize, sequenceLength] row-major
 * @returns `ids` and `attentionMask`, int32 [batchSize, sequenceLength]
 */
export function tokenizedBatchToTensors(batch: TokenizedBatch): TokenizedBatchTensors {
  return {
    ids: tf.tensor2d(batch.ids, batch.shape, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, batch.shape, 'int32'),
  };
}
