import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel, runFusedKernel } from '../fused/has-fused-kernel.js';

/** Options of {@link crossEntropyWithIgnoreIndex}. */
export interface CrossEntropyWithIgnoreIndexOptions {
  /**
   * Label value that marks a position to leave out of the loss (PyTorch's `ignore_index`).
   * @default -100
   */
  ignoreIndex?: number;
  /**
   * `'mean'`: mean over the non-ignored positions (a scalar; 0 when every position is ignored, where PyTorch gives
   * NaN). `'sum'`: sum over the non-ignored positions (a scalar). `'none'`: the loss per position, shape of
   * `labels`, with 0 at ignored positions.
   * @default 'mean'
   */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Softmax cross-entropy of integer labels, with positions whose label equals `ignoreIndex` left out (PyTorch's
 * `F.cross_entropy(logits.view(-1, vocab), labels.view(-1), ignore_index=-100)`, as nanoGPT and LlamaGen use it).
 *
 * Runs the backend's fused `RecaSoftmaxCrossEntropy` kernel where it has one; elsewhere it is built from `logSoftmax`
 * and a one-hot product (no `gather` of labels inside the tape), so its gradient exists on every backend. Labels must
 * lie in `[0, vocab)` or equal `ignoreIndex`; other values are not checked (doing so would read the labels back from
 * the device) and contribute a loss of 0 while still counting in the mean's denominator.
 *
 * @param logits - float32 `[..., vocab]` unnormalised scores.
 * @param labels - int32 `[...]` (the leading shape of `logits`) class ids or `ignoreIndex`.
 * @returns float32 scalar for `'mean'`/`'sum'`, float32 of the shape of `labels` for `'none'`; the caller owns it.
 */
export function crossEntropyWithIgnoreIndex(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options: CrossEntropyWithIgnoreIndexOptions = {},
): tf.Tensor {
  const { ignoreIndex = -100, reduction = 'mean' } = options;
  if (logits.rank < 1) {
    throw new ShapeMismatchError({ tensorName: 'logits', expected: [null], actual: logits.shape, context: 'crossEntropyWithIgnoreIndex' });
  }
  const vocabularySize = logits.shape[logits.rank - 1] as number;
  const leadingShape = logits.shape.slice(0, -1);
  if (labels.rank !== leadingShape.length || labels.shape.some((size, index) => size !== leadingShape[index])) {
    throw new ShapeMismatchError({
      tensorName: 'labels',
      expected: leadingShape,
      actual: labels.shape,
      context: `crossEntropyWithIgnoreIndex (labels must have the leading shape of logits [${logits.shape.join(', ')}])`,
    });
  }
  if (labels.dtype !== 'int32') {
    throw new InvalidArgumentError({ argument: 'labels', message: `must be an int32 tensor, got dtype ${labels.dtype}` });
  }
  if (!Number.isInteger(ignoreIndex)) {
    throw new InvalidArgumentError({ argument: 'ignoreIndex', message: `must be an integer, got ${ignoreIndex}` });
  }
  return tf.tidy(() => {
    const flatLogits = tf.reshape(logits, [-1, vocabularySize]);
    const flatLabels = tf.reshape(labels, [-1]);
    const kept = tf.notEqual(flatLabels, tf.scalar(ignoreIndex, 'int32'));
    const keptWeights = tf.cast(kept, 'float32');
    const perPosition =
      flatLogits.dtype === 'float32' && hasFusedKernel(fusedKernelNames.softmaxCrossEntropy)
        ? fusedCrossEntropyPerRow(flatLogits, flatLabels, ignoreIndex)
        : composedCrossEntropyPerRow(flatLogits, flatLabels, kept, keptWeights);
    if (reduction === 'none') return tf.reshape(perPosition, labels.shape);
    const total = tf.sum(perPosition);
    if (reduction === 'sum') return total;
    return tf.div(total, tf.maximum(tf.sum(keptWeights), tf.scalar(1)));
  });
}

/** Loss per row `[N]` from plain tfjs ops: logSoftmax times a one-hot of the labels (0 at ignored rows). */
function composedCrossEntropyPerRow(logits: tf.Tensor, labels: tf.Tensor, kept: tf.Tensor, keptWeights: tf.Tensor): tf.Tensor {
  const safeLabels = tf.where(kept, labels, tf.zerosLike(labels));
  const logProbabilities = tf.logSoftmax(logits);
  const targetLogProbability = tf.sum(tf.mul(logProbabilities, tf.oneHot(safeLabels, logits.shape[1] as number)), -1);
  return tf.mul(tf.neg(targetLogProbability), keptWeights);
}

/** Loss per row `[N]` through the backend's `RecaSoftmaxCrossEntropy` kernel and its gradient kernel. */
function fusedCrossEntropyPerRow(logits: tf.Tensor, labels: tf.Tensor, ignoreIndex: number): tf.Tensor {
  const attrs = { ignoreIndex };
  const crossEntropy = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x, labels]);
    return {
      value: runFusedKernel(fusedKernelNames.softmaxCrossEntropy, { logits: x, labels }, attrs)[0] as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        runFusedKernel(fusedKernelNames.softmaxCrossEntropyGrad, { dy: dy as tf.Tensor, logits: saved[0] as tf.Tensor, labels: saved[1] as tf.Tensor }, attrs)[0] as tf.Tensor,
    };
  });
  return crossEntropy(logits);
}
