import { InvalidArgumentError, SeededRandom } from '@reca/runtime';

/** Options of {@link epochOrder}. */
export interface EpochOrderOptions {
  /** Seed of the shuffle; the same seed and epoch give the same order on every machine. */
  seed: number | string;
  /** Epoch number (0-based); each epoch is an independent permutation. @default 0 */
  epoch?: number;
  /** `false` keeps the dataset order. @default true */
  shuffle?: boolean;
}

/**
 * The order in which an epoch visits items `0 … size - 1`: a permutation drawn from
 * `new SeededRandom(seed).fork('epoch-' + epoch)`, or the identity when `shuffle` is false.
 */
export function epochOrder(size: number, { seed, epoch = 0, shuffle = true }: EpochOrderOptions): number[] {
  if (!Number.isInteger(size) || size < 0) throw new InvalidArgumentError({ argument: 'size', message: `must be a non-negative integer, got ${size}` });
  if (!Number.isInteger(epoch) || epoch < 0) throw new InvalidArgumentError({ argument: 'epoch', message: `must be a non-negative integer, got ${epoch}` });
  if (!shuffle) return Array.from({ length: size }, (_, index) => index);
  return new SeededRandom(seed).fork(`epoch-${epoch}`).permutation(size);
}

/**
 * Splits an epoch's order into batches of `batchSize` indices; the last batch is shorter unless `dropLast` drops it.
 */
export function batchIndices(
  size: number,
  batchSize: number,
  options: EpochOrderOptions & { dropLast?: boolean },
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new InvalidArgumentError({ argument: 'batchSize', message: `must be a positive integer, got ${batchSize}` });
  }
  const order = epochOrder(size, options);
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    if (batch.length < batchSize && options.dropLast) break;
    batches.push(batch);
  }
  return batches;
}
