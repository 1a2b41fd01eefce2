import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { patchify, unpatchify, type PatchFeatureOrder } from './patchify.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Reference patchify by explicit indexing of a [b, h, w, c] array. */
function referencePatchify(images: number[][][][], patchSize: number, order: PatchFeatureOrder): number[][][] {
  return images.map((image) => {
    const rows = image.length / patchSize;
    const columns = image[0]!.length / patchSize;
    const channels = image[0]![0]!.length;
    const tokens: number[][] = [];
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const features = new Array<number>(patchSize * patchSize * channels);
        for (let dy = 0; dy < patchSize; dy++) {
          for (let dx = 0; dx < patchSize; dx++) {
            for (let c = 0; c < channels; c++) {
              const index = order === 'row-column-channel' ? (dy * patchSize + dx) * channels + c : c * patchSize * patchSize + dy * patchSize + dx;
              features[index] = image[row * patchSize + dy]![column * patchSize + dx]![c]!;
            }
          }
        }
        tokens.push(features);
      }
    }
    return tokens;
  });
}

describe('patchify / unpatchify', () => {
  it('match explicit indexing and are exact inverses, for both feature orders', () => {
    const random = new SeededRandom(1);
    const images = random.normalTensor([2, 4, 6, 3]);
    const imageValues = images.arraySync() as number[][][][];
    for (const featureOrder of ['row-column-channel', 'channel-row-column'] as const) {
      const tokens = patchify(images, 2, { featureOrder });
      expect(tokens.shape).toEqual([2, 6, 12]);
      expect(tokens.arraySync()).toEqual(referencePatchify(imageValues, 2, featureOrder));
      const restored = unpatchify(tokens, 2, 4, 3, { featureOrder });
      expect(restored.shape).toEqual([2, 4, 6, 3]);
      expect(Array.from(restored.dataSync())).toEqual(Array.from(images.dataSync()));
      const tokenValues = random.normalTensor([2, 6, 12]);
      expect(Array.from(patchify(unpatchify(tokenValues, 2, 4, 3, { featureOrder }), 2, { featureOrder }).dataSync())).toEqual(
        Array.from(tokenValues.dataSync()),
      );
      tf.dispose([tokens, restored, tokenValues]);
    }
    images.dispose();
  });

  it('passes gradients through (a permutation) and rejects bad shapes', () => {
    const images = tf.tensor4d(Array.from({ length: 16 }, (_, index) => index), [1, 4, 4, 1]);
    const weights = tf.tensor3d(Array.from({ length: 16 }, (_, index) => index * 0.5), [1, 4, 4]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(patchify(input, 2), weights)))(images);
    // The gradient at each pixel is the weight of the token feature it was moved to.
    const moved = unpatchify(weights, 2, 4, 1);
    expect(Array.from(gradient.dataSync())).toEqual(Array.from(moved.dataSync()));
    expect(() => patchify(images, 3)).toThrow(ShapeMismatchError);
    expect(() => unpatchify(weights, 2, 5, 1)).toThrow(InvalidArgumentError);
    tf.dispose([images, weights, gradient, moved]);
  });
});
