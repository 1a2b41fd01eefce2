import { InvalidArgumentError, tf } from '@reca/runtime';

/**
 * Flat row indices for gathering `indices[sample]` from a `[batch, rowsPerSample, …]` tensor flattened to
 * `[batch · rowsPerSample, …]`. Every sample must select the same number of rows.
 *
 * @returns int32 values of length `batch · indices[0].length`.
 */
export function flatRowIndices(indices: readonly (readonly number[])[], rowsPerSample: number): Int32Array {
  const count = indices[0]?.length ?? 0;
  const flat = new Int32Array(indices.length * count);
  indices.forEach((row, sample) => {
    if (row.length !== count) throw new InvalidArgumentError({ argument: 'indices', message: `every sample must select ${count} rows, got ${row.length}` });
    row.forEach((index, position) => {
      if (!Number.isInteger(index) || index < 0 || index >= rowsPerSample) {
        throw new InvalidArgumentError({ argument: 'indices', message: `index ${index} is outside [0, ${rowsPerSample})` });
      }
      flat[sample * count + position] = sample * rowsPerSample + index;
    });
  });
  return flat;
}

/**
 * Selects the same number of token rows from each sample (MAR's `x[(1 − mask).nonzero()]`).
 *
 * @param tokens - float32 `[batch, tokens, channels]`.
 * @param indices - per sample, the token indices to keep (in the order wanted).
 * @returns float32 `[batch, kept, channels]`; the caller owns it.
 */
export function gatherTokens(tokens: tf.Tensor3D, indices: readonly (readonly number[])[]): tf.Tensor3D {
  const [batchSize, length, channels] = tokens.shape;
  if (indices.length !== batchSize) throw new InvalidArgumentError({ argument: 'indices', message: `needs one row per sample (${batchSize}), got ${indices.length}` });
  const kept = indices[0]?.length ?? 0;
  return tf.tidy(() => {
    const flat = tf.reshape(tokens, [batchSize * length, channels]);
    const rows = tf.gather(flat, tf.tensor1d(flatRowIndices(indices, length), 'int32'));
    return tf.reshape(rows, [batchSize, kept, channels]) as tf.Tensor3D;
  });
}

/**
 * The inverse placement (MAR's decoder padding `x_after_pad[(1 − mask).nonzero()] = x`): returns a
 * `[batch, length, channels]` tensor holding `values[sample][j]` at `indices[sample][j]` and `filler` everywhere else.
 * Differentiable with respect to `values` and `filler`.
 *
 * @param values - float32 `[batch, kept, channels]`.
 * @param indices - per sample, distinct positions in `[0, length)` of its `kept` rows.
 * @param filler - float32 `[channels]` or `[1, channels]` (e.g. MAR's `mask_token`), or `[batch, length, channels]`
 *   (the previous values, for sampling).
 * @returns float32 `[batch, length, channels]`; the caller owns it.
 */
export function placeTokens(values: tf.Tensor3D, indices: readonly (readonly number[])[], length: number, filler: tf.Tensor): tf.Tensor3D {
  const [batchSize, kept, channels] = values.shape;
  const fullFiller = filler.rank === 3;
  const source = new Int32Array(batchSize * length);
  const fillerRows = fullFiller ? batchSize * length : 1;
  for (let sample = 0; sample < batchSize; sample++) {
    for (let position = 0; position < length; position++) source[sample * length + position] = batchSize * kept + (fullFiller ? sample * length + position : 0);
    (indices[sample] ?? []).forEach((position, row) => {
      if (position < 0 || position >= length) throw new InvalidArgumentError({ argument: 'indices', message: `position ${position} is outside [0, ${length})` });
      source[sample * length + position] = sample * kept + row;
    });
  }
  return tf.tidy(() => {
    const table = tf.concat([tf.reshape(values, [batchSize * kept, channels]), tf.reshape(filler, [fillerRows, channels])], 0);
    return tf.reshape(tf.gather(table, tf.tensor1d(source, 'int32')), [batchSize, length, channels]) as tf.Tensor3D;
  });
}
