import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel } from '../fused/has-fused-kernel.js';
import { runFusedOp } from '../fused/run-fused-op.js';

/** Options of {@link scaledDotProductAttention}. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Additive float32 bias on the scores, broadcastable to `[batch, heads, queries, keys]` (e.g. from
   * `attentionBias`: 0 where allowed, a large negative number where blocked).
   */
  bias?: tf.Tensor | null;
  /** Multiplier of `q·kᵀ`. @default 1 / √headDim */
  scale?: number;
}

/**
 * `softmax(q · kᵀ · scale + bias) · v` per batch element and head (PyTorch's `F.scaled_dot_product_attention`).
 * Runs the backend's fused `RecaAttention` kernel (and `RecaAttentionGrad`) where it has one; elsewhere the products
 * run as rank-3 batch matmuls over `batch · heads` with equal batch dimensions, whose gradients exist on every
 * backend. A bias gets a gradient either way.
 *
 * @param query - float32 `[batch, heads, queries, headDim]`.
 * @param key - float32 `[batch, heads, keys, headDim]`.
 * @param value - float32 `[batch, heads, keys, valueDim]`.
 * @returns float32 `[batch, heads, queries, valueDim]`; the caller owns it.
 */
export function scaledDotProductAttention(
  query: tf.Tensor,
  key: tf.Tensor,
  value: tf.Tensor,
  options: ScaledDotProductAttentionOptions = {},
): tf.Tensor4D {
  if (query.rank !== 4) {
    throw new ShapeMismatchError({ tensorName: 'query', expected: [null, null, null, null], actual: query.shape, context: 'scaledDotProductAttention' });
  }
  const [batchSize, heads, queryLength, headDim] = query.shape as [number, number, number, number];
  const keyLength = key.shape[2] as number;
  if (key.rank !== 4 || key.shape[0] !== batchSize || key.shape[1] !== heads || key.shape[3] !== headDim) {
    throw new ShapeMismatchError({ tensorName: 'key', expected: [batchSize, heads, null, headDim], actual: key.shape, context: 'scaledDotProductAttention' });
  }
  if (value.rank !== 4 || value.shape[0] !== batchSize || value.shape[1] !== heads || value.shape[2] !== keyLength) {
    throw new ShapeMismatchError({ tensorName: 'value', expected: [batchSize, heads, keyLength, null], actual: value.shape, context: 'scaledDotProductAttention' });
  }
  const valueDim = value.shape[3] as number;
  const { bias = null, scale = 1 / Math.sqrt(headDim) } = options;
  if (query.dtype === 'float32' && hasFusedKernel(fusedKernelNames.attention)) {
    const inputs = { query, key, value, bias };
    const call = { forwardKernel: fusedKernelNames.attention, gradientKernel: fusedKernelNames.attentionGrad, inputs, attrs: { scale }, savedOutputs: ['weights'] };
    return runFusedOp(call) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const flatQuery = tf.reshape(query, [batchSize * heads, queryLength, headDim]);
    const flatKey = tf.reshape(key, [batchSize * heads, keyLength, headDim]);
    const flatValue = tf.reshape(value, [batchSize * heads, keyLength, valueDim]);
    let scores: tf.Tensor = tf.mul(tf.matMul(flatQuery, flatKey, false, true), tf.scalar(scale));
    if (bias) {
      scores = tf.reshape(tf.add(tf.reshape(scores, [batchSize, heads, queryLength, keyLength]), bias), [batchSize * heads, queryLength, keyLength]);
    }
    const weights = tf.softmax(scores, -1);
    const output = tf.matMul(weights, flatValue);
    return tf.reshape(output, [batchSize, heads, queryLength, valueDim]) as tf.Tensor4D;
  });
}
