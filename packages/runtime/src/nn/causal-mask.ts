import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { assertPositiveInteger } from './shape-checks.js';

/** Options of {@link causalMask}. */
export interface CausalMaskOptions {
  /**
   * Number of keys. When it exceeds the number of queries (decoding with a KV cache), the queries are the *last*
   * `queryLength` positions of the key sequence: query `i` may see keys `0 … i + keyLength − queryLength`.
   * @default queryLength
   */
  keyLength?: number;
}

/**
 * A causal (lower-triangular) attention mask: query `i` may attend key `j` iff `j ≤ i + (keyLength − queryLength)`.
 * Built on the host (no `linalg.bandPart`), so it is a constant under any gradient tape.
 *
 * @param queryLength - number of query positions.
 * @returns bool `[queryLength, keyLength]`, `true` where attending is allowed; the caller owns it.
 */
export function causalMask(queryLength: number, options: CausalMaskOptions = {}): tf.Tensor2D {
  const { keyLength = queryLength } = options;
  assertPositiveInteger(queryLength, 'queryLength');
  assertPositiveInteger(keyLength, 'keyLength');
  if (keyLength < queryLength) {
    throw new InvalidArgumentError({ argument: 'keyLength', message: `must be ≥ queryLength (${queryLength}), got ${keyLength}` });
  }
  const offset = keyLength - queryLength;
  const values = new Uint8Array(queryLength * keyLength);
  for (let query = 0; query < queryLength; query++) {
    values.fill(1, query * keyLength, query * keyLength + query + offset + 1);
  }
  return tf.tensor2d(values, [queryLength, keyLength], 'bool');
}
