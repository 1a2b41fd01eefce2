import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import type { tf } from '../tf.js';

/** Throws ShapeMismatchError unless `images` is rank 4 with 1 or 3 channels: [batch, height, width, channels]. */
export function checkImageBatch(images: tf.Tensor, functionName: string): asserts images is tf.Tensor4D {
  if (images.rank !== 4) {
    throw new ShapeMismatchError({
      tensorName: 'images',
      expected: [null, null, null, 3],
      actual: images.shape,
      context: `${functionName} expects [batch, height, width, channels]`,
    });
  }
}
