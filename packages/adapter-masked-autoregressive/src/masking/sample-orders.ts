import { InvalidArgumentError, type SeededRandom } from '@reca/runtime';

/**
 * One uniformly random generation order per sample (MAR's `sample_orders`): a permutation of the token indices
 * `0 … tokens−1`, drawn from `random` (Fisher–Yates).
 *
 * @returns `batchSize` permutations of length `tokens`.
 */
export function sampleOrders(batchSize: number, tokens: number, random: SeededRandom): number[][] {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new InvalidArgumentError({ argument: 'batchSize', message: `must be a positive integer, got ${batchSize}` });
  if (!Number.isInteger(tokens) || tokens <= 0) throw new InvalidArgumentError({ argument: 'tokens', message: `must be a positive integer, got ${tokens}` });
  return Array.from({ length: batchSize }, () => random.permutation(tokens));
}
