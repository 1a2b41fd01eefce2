/**
 * A padded batch of token ids, stored row-major in flat `Int32Array`s so that it goes into TensorFlow.js without
 * copying through nested arrays: `tf.tensor2d(batch.ids, batch.shape, 'int32')`.
 */
export interface TokenizedBatch {
  /** int32 [batchSize, sequenceLength], row-major: token ids, padded positions hold the pad id. */
  readonly ids: Int32Array;
  /** int32 [batchSize, sequenceLength], row-major: 1 where `ids` holds a real token, 0 where it holds padding. */
  readonly attentionMask: Int32Array;
  /** `[batchSize, sequenceLength]`. */
  readonly shape: [number, number];
  /** Number of real (non-padding) tokens of each row. */
  readonly lengths: readonly number[];
  /** Whether each row was truncated to fit `maxLength`. */
  readonly truncated: readonly boolean[];
}
