import type { tf } from '@reca/runtime';

/** True when a kernel's output, for this input `x` and these attributes, is `x` itself: same shape, dtype and values. */
export type UnchangedOutputTest = (x: tf.TensorInfo, attrs: tf.NamedAttrMap) => boolean;

/**
 * Kernels that some calls leave their input unchanged: a Reshape to the shape the tensor has, a Cast to the dtype it
 * has, a Transpose by the identity permutation. tfjs's own gradients issue many (the gradients of Add and Sub reshape to the input's shape whether or not it
 * broadcast; Multiply's casts its other input to float32; about one kernel call in eight of a recaStep). Such a call
 * shares the input's data instead of a native call, an ATen view and a handle to free later — as tfjs's cpu backend
 * does for every Reshape and for a Cast to the same dtype. Keyed by tfjs kernel name; each kernel's input is `x`.
 */
export const unchangedOutputTests: Readonly<Record<string, UnchangedOutputTest>> = {
  Reshape: (x, attrs) => reshapesToItself(x.shape, attrs['shape']),
  Cast: (x, attrs) => attrs['dtype'] === x.dtype,
  Transpose: (x, attrs) => isIdentityPermutation(attrs['perm'], x.shape.length),
};

/** True when `perm` is `[0, 1, …, rank − 1]`: a Transpose that moves nothing. */
export function isIdentityPermutation(perm: unknown, rank: number): boolean {
  if (!Array.isArray(perm) || perm.length !== rank) return false;
  return perm.every((axis, index) => axis === index);
}

/**
 * True when Reshape's `shape` attribute (at most one -1, inferred from the size) is exactly `shape`. Anything else —
 * a different shape, a size that does not divide, an attribute that is not an array of numbers — is false, and the
 * native kernel reshapes or reports the error.
 */
export function reshapesToItself(shape: readonly number[], requested: unknown): boolean {
  if (!Array.isArray(requested) || requested.length !== shape.length) return false;
  let inferredAt = -1;
  for (let index = 0; index < shape.length; index++) {
    const size = requested[index] as unknown;
    if (size === -1 && inferredAt < 0) {
      inferredAt = index;
    } else if (size !== shape[index]) {
      return false;
    }
  }
  if (inferredAt < 0) return true;
  // Every other dimension matches, so the -1 resolves to this one's size unless another dimension is 0 (then it is
  // undetermined: the native kernel decides).
  return shape.every((size, index) => index === inferredAt || size > 0);
}
