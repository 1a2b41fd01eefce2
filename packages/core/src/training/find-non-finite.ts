import { tf } from '@reca/runtime';
import { NonFiniteLossError } from '../errors/non-finite-loss-error.js';

/**
 * Names of the gradients that contain at least one NaN or ±Infinity, in the key order of `gradients`.
 *
 * All tensors are checked on the device (`isFinite → all` per tensor, stacked) and read back with a single
 * `data()` (asynchronous, so it works on backends without synchronous reads); temporaries are freed.
 *
 * @param gradients - tensors of any shapes and float dtypes, keyed by parameter name. Not disposed.
 * @returns the names of non-finite gradients; `[]` when all are finite (or the record is empty).
 */
export async function findNonFiniteGradients(gradients: Record<string, tf.Tensor>): Promise<string[]> {
  const names = Object.keys(gradients);
  if (names.length === 0) return [];
  const flags = tf.tidy(() =>
    tf.stack(names.map((name) => tf.logicalNot(tf.isFinite(gradients[name] as tf.Tensor).all()).cast('int32'))),
  );
  const values = await flags.data();
  flags.dispose();
  return names.filter((_, index) => values[index] !== 0);
}

/**
 * Throws {@link NonFiniteLossError} for the first loss part (in key order) that is NaN or ±Infinity.
 *
 * @param step - optimisation step the losses belong to (counted from 1, as recaStep reports it).
 * @param losses - loss parts read back as numbers, e.g. `{ reconstruction: 0.41, imageToText: 2.3 }`.
 */
export function assertFiniteLosses(step: number, losses: Record<string, number>): void {
  for (const [lossPart, value] of Object.entries(losses)) {
    if (!Number.isFinite(value)) throw new NonFiniteLossError({ step, lossPart, value });
  }
}
