import { InvalidArgumentError, ShapeMismatchError, type tf } from '@reca/runtime';

/** Throws {@link InvalidArgumentError} unless `value` is a positive integer. */
export function assertPositiveInteger(value: number, argument: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
  }
}

/**
 * Throws {@link ShapeMismatchError} unless `tensor` has the rank of `expected` and every non-null entry matches.
 *
 * @param tensor - the tensor to check.
 * @param expected - expected shape; `null` entries mean "any size".
 * @param context - where the check happens, for the message.
 * @param tensorName - the argument's name, for the message.
 */
export function assertShape(tensor: tf.Tensor, expected: ReadonlyArray<number | null>, context: string, tensorName: string): void {
  const matches = tensor.rank === expected.length && expected.every((size, index) => size === null || size === tensor.shape[index]);
  if (!matches) throw new ShapeMismatchError({ tensorName, expected, actual: tensor.shape, context });
}

/** Throws {@link InvalidArgumentError} unless a per-sample flag list is absent or has `batchSize` entries. */
export function assertFlagCount(flags: readonly boolean[] | undefined, batchSize: number, argument: string): void {
  if (flags !== undefined && flags.length !== batchSize) {
    throw new InvalidArgumentError({ argument, message: `must have one flag per sample (${batchSize}), got ${flags.length}` });
  }
}
