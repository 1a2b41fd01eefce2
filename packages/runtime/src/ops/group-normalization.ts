import { tf } from '../tf.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel } from '../fused/has-fused-kernel.js';
import { runFusedOp } from '../fused/run-fused-op.js';

/**
 * Group normalisation of channels-last images (PyTorch's `F.group_norm` on NCHW, here on tfjs's NHWC): the channels are
 * split into `groups`, each group is normalised over its positions and channels, then scaled and shifted per channel.
 *
 * Runs the backend's fused `RecaGroupNorm` kernel (and `RecaGroupNormGrad`) where it has one; composes tfjs ops
 * otherwise.
 *
 * @param input - float32 `[batch, height, width, channels]`.
 * @param weight - float32 `[channels]`.
 * @param bias - float32 `[channels]`.
 * @param groups - number of groups (divides `channels`).
 * @param epsilon - added to the variance.
 * @returns float32 of the shape of `input`; the caller owns it.
 */
export function groupNormalization(input: tf.Tensor4D, weight: tf.Tensor, bias: tf.Tensor, groups: number, epsilon: number): tf.Tensor4D {
  if (input.dtype === 'float32' && hasFusedKernel(fusedKernelNames.groupNorm)) {
    const inputs = { x: input, weight, bias };
    return runFusedOp({ forwardKernel: fusedKernelNames.groupNorm, gradientKernel: fusedKernelNames.groupNormGrad, inputs, attrs: { groups, epsilon } }) as tf.Tensor4D;
  }
  const [batchSize, height, width, channels] = input.shape;
  const groupSize = channels / groups;
  return tf.tidy(() => {
    const grouped = tf.reshape(input, [batchSize, height * width, groups, groupSize]); // [b, hw, G, C/G]
    const { mean, variance } = tf.moments(grouped, [1, 3], true); // [b, 1, G, 1]
    const normalized = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, epsilon)));
    const flat = tf.reshape(normalized, [batchSize, height, width, channels]);
    return tf.add(tf.mul(flat, weight), bias) as tf.Tensor4D;
  });
}
