import type { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';

/** Throws {@link ShapeMismatchError} unless `tensor`'s last dimension is `size`. */
export function assertLastDimension(tensor: tf.Tensor, size: number, context: string, tensorName = 'input'): void {
  if (tensor.rank < 1 || tensor.shape[tensor.rank - 1] !== size) {
    throw new ShapeMismatchError({
      tensorName,
      expected: [...tensor.shape.slice(0, -1).map(() => null), size],
      actual: tensor.shape,
      context,
    });
  }
}

/**
 * Throws {@link ShapeMismatchError} unless `tensor` has exactly the rank of `expected` and every non-null entry of
 * `expected` equals the actual size.
 */
export function assertShape(tensor: tf.Tensor, expected: ReadonlyArray<number | null>, context: string, tensorName: string): void {
  const matches = tensor.rank === expected.length && expected.every((size, index) => size === null || size === tensor.shape[index]);
  if (!matches) throw new ShapeMismatchError({ tensorName, expected, actual: tensor.shape, context });
}

/** Throws {@link InvalidArgumentError} unless `value` is a positive integer. */
export function assertPositiveInteger(value: number, argument: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
  }
}
