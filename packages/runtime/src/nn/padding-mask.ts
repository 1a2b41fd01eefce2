import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { assertPositiveInteger } from './shape-checks.js';

/** Options of {@link paddingMask}. */
export interface PaddingMaskOptions {
  /**
   * Where the padding sits: `'right'` (real tokens first, the usual for training) or `'left'` (real tokens last,
   * the usual for batched generation).
   * @default 'right'
   */
  side?: 'right' | 'left';
}

/**
 * A key-padding mask from sequence lengths, for `MultiHeadAttention`'s `keyPaddingMask`.
 *
 * @param lengths - number of real tokens per batch element, each in `[0, maxLength]`.
 * @param maxLength - the padded length.
 * @returns bool `[lengths.length, maxLength]`, `true` at real tokens; the caller owns it.
 */
export function paddingMask(lengths: readonly number[], maxLength: number, options: PaddingMaskOptions = {}): tf.Tensor2D {
  const { side = 'right' } = options;
  assertPositiveInteger(maxLength, 'maxLength');
  if (lengths.length === 0 || lengths.some((length) => !Number.isInteger(length) || length < 0 || length > maxLength)) {
    throw new InvalidArgumentError({
      argument: 'lengths',
      message: `must be a non-empty list of integers in [0, ${maxLength}], got [${lengths.join(', ')}]`,
    });
  }
  const values = new Uint8Array(lengths.length * maxLength);
  lengths.forEach((length, row) => {
    const start = row * maxLength + (side === 'right' ? 0 : maxLength - length);
    values.fill(1, start, start + length);
  });
  return tf.tensor2d(values, [lengths.length, maxLength], 'bool');
}
