import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { assertPositiveInteger } from './shape-checks.js';

/**
 * Order of the `patchSize · patchSize · channels` features inside one token:
 * - `'row-column-channel'`: feature `(dy · patchSize + dx) · channels + c` — DiT's `unpatchify` (`nhwpqc`), the
 *   layout of a channels-last `Conv2d`-free patch embedding.
 * - `'channel-row-column'`: feature `c · patchSize² + dy · patchSize + dx` — MAR/Harmon's `patchify` (`nchpwq → nhwcpq`).
 */
export type PatchFeatureOrder = 'row-column-channel' | 'channel-row-column';

/** Options of {@link patchify} and {@link unpatchify}. */
export interface PatchifyOptions {
  /** @default 'row-column-channel' */
  featureOrder?: PatchFeatureOrder;
}

/**
 * Cuts images into non-overlapping `patchSize × patchSize` patches, one token per patch. Tokens are in row-major
 * order of the patch grid: token `py · (width / patchSize) + px` holds the pixels `[py·p + dy, px·p + dx]`.
 * {@link unpatchify} is its exact inverse. All intermediate tensors have rank ≤ 4.
 *
 * @param images - float32 `[batch, height, width, channels]`, height and width divisible by `patchSize`.
 * @param patchSize - patch side in pixels.
 * @returns float32 `[batch, (height/p) · (width/p), p · p · channels]`; the caller owns it.
 */
export function patchify(images: tf.Tensor, patchSize: number, options: PatchifyOptions = {}): tf.Tensor3D {
  const { featureOrder = 'row-column-channel' } = options;
  assertPositiveInteger(patchSize, 'patchSize');
  assertFeatureOrder(featureOrder);
  if (images.rank !== 4 || (images.shape[1] as number) % patchSize !== 0 || (images.shape[2] as number) % patchSize !== 0) {
    throw new ShapeMismatchError({
      tensorName: 'images',
      expected: [null, null, null, null],
      actual: images.shape,
      context: `patchify ([batch, height, width, channels] with height and width divisible by patchSize ${patchSize})`,
    });
  }
  const [batchSize, height, width, channels] = images.shape as [number, number, number, number];
  const rows = height / patchSize;
  const columns = width / patchSize;
  return tf.tidy(() => {
    // [b·rows, dy, columns, dx·C] → [b·rows, columns, dy, dx·C]: features (dy, dx, c).
    const split = tf.reshape(images, [batchSize * rows, patchSize, columns, patchSize * channels]);
    let patches = tf.transpose(split, [0, 2, 1, 3]);
    if (featureOrder === 'channel-row-column') {
      const pixels = tf.reshape(patches, [batchSize * rows * columns, patchSize, patchSize, channels]);
      patches = tf.transpose(pixels, [0, 3, 1, 2]);
    }
    return tf.reshape(patches, [batchSize, rows * columns, patchSize * patchSize * channels]) as tf.Tensor3D;
  });
}

/**
 * Inverse of {@link patchify}: reassembles tokens into images.
 *
 * @param tokens - float32 `[batch, (height/p) · (width/p), p · p · channels]`.
 * @param patchSize - patch side in pixels.
 * @param height - image height in pixels (a multiple of `patchSize`); the width follows from the token count.
 * @param channels - channels per pixel.
 * @returns float32 `[batch, height, width, channels]`; the caller owns it.
 */
export function unpatchify(
  tokens: tf.Tensor,
  patchSize: number,
  height: number,
  channels: number,
  options: PatchifyOptions = {},
): tf.Tensor4D {
  const { featureOrder = 'row-column-channel' } = options;
  assertPositiveInteger(patchSize, 'patchSize');
  assertPositiveInteger(height, 'height');
  assertPositiveInteger(channels, 'channels');
  assertFeatureOrder(featureOrder);
  if (height % patchSize !== 0) {
    throw new InvalidArgumentError({ argument: 'height', message: `must be a multiple of patchSize ${patchSize}, got ${height}` });
  }
  const rows = height / patchSize;
  const featureSize = patchSize * patchSize * channels;
  if (tokens.rank !== 3 || tokens.shape[2] !== featureSize || (tokens.shape[1] as number) % rows !== 0) {
    throw new ShapeMismatchError({
      tensorName: 'tokens',
      expected: [null, null, featureSize],
      actual: tokens.shape,
      context: `unpatchify (token count must be a multiple of ${rows} patch rows)`,
    });
  }
  const [batchSize, tokenCount] = tokens.shape as [number, number, number];
  const columns = tokenCount / rows;
  return tf.tidy(() => {
    let patches: tf.Tensor = tokens;
    if (featureOrder === 'channel-row-column') {
      const channelFirst = tf.reshape(tokens, [batchSize * rows * columns, channels, patchSize, patchSize]);
      patches = tf.transpose(channelFirst, [0, 2, 3, 1]);
    }
    const grid = tf.reshape(patches, [batchSize * rows, columns, patchSize, patchSize * channels]);
    const images = tf.transpose(grid, [0, 2, 1, 3]);
    return tf.reshape(images, [batchSize, height, columns * patchSize, channels]) as tf.Tensor4D;
  });
}

function assertFeatureOrder(featureOrder: string): void {
  if (featureOrder !== 'row-column-channel' && featureOrder !== 'channel-row-column') {
    throw new InvalidArgumentError({
      argument: 'featureOrder',
      message: `must be 'row-column-channel' or 'channel-row-column', got '${featureOrder}'`,
    });
  }
}
