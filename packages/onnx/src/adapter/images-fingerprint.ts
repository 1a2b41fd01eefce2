import { createHash } from 'node:crypto';
import type { tf } from '@reca/runtime';

/**
 * A content key of an image batch: its shape and the SHA-256 of its float32 values. Equal keys mean bit-identical
 * pixels (up to SHA-256 collisions), which is how precomputed embeddings find the batch `recaStep` degrades again.
 * Reads the values synchronously (`dataSync`: a device read-back on GPU backends).
 *
 * @param images - float32 `[batch, height, width, channels]`.
 */
export function imagesFingerprint(images: tf.Tensor): string {
  const values = images.dataSync() as Float32Array;
  const hash = createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
  return `${images.dtype}[${images.shape.join(',')}]:${hash}`;
}
