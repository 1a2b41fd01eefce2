import { InvalidArgumentError, ShapeMismatchError, tf } from '@reca/runtime';
import type { VqTokenizer } from './vq-tokenizer.js';

/** Options of {@link measureVqReconstruction}. */
export interface MeasureVqReconstructionOptions {
  /** Images encoded per forward pass. @default 32 */
  batchSize?: number;
  /**
   * A pixel counts as correct when every channel of the reconstruction is within this distance of the original
   * (on the [0, 1] scale). 0.25 tells ShapesWorld's saturated colours and black apart. @default 0.25
   */
  pixelTolerance?: number;
}

/** Reconstruction quality and code usage of a VQ tokenizer on a set of images. */
export interface VqReconstructionReport {
  /** Number of images measured. */
  readonly images: number;
  /** Mean squared error per channel value, images in [0, 1]. */
  readonly meanSquaredError: number;
  /** Peak signal-to-noise ratio in dB for a peak of 1: `10·log10(1 / MSE)`. */
  readonly psnr: number;
  /** Fraction of pixels whose every channel is within `pixelTolerance` of the original. */
  readonly pixelAccuracy: number;
  /** Fraction of images whose every pixel is correct in that sense (the ceiling a generator can reach). */
  readonly exactImageFraction: number;
  /** Number of distinct codes used over all images. */
  readonly codesUsed: number;
  /** `codesUsed / codebookSize`. */
  readonly codeUsage: number;
  /** `exp(entropy)` of the code histogram: the effective number of codes (≤ codesUsed). */
  readonly perplexity: number;
  /** How often each code was chosen, length `codebookSize`. */
  readonly codeCounts: readonly number[];
}

/**
 * Measures what a VQ tokenizer can represent: reconstruction error, the fraction of exactly reconstructed images
 * (the ceiling of any generator on these tokens — the pilot's k-means codebook reached only 56 % on ShapesWorld)
 * and code usage. Reads results back with `await tensor.data()`; leaves no tensors behind.
 *
 * @param tokenizer - the tokenizer to measure.
 * @param images - float32 `[count, imageSize, imageSize, 3]` in [0, 1]; the caller keeps ownership.
 */
export async function measureVqReconstruction(
  tokenizer: VqTokenizer,
  images: tf.Tensor4D,
  options: MeasureVqReconstructionOptions = {},
): Promise<VqReconstructionReport> {
  const { batchSize = 32, pixelTolerance = 0.25 } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new InvalidArgumentError({ argument: 'batchSize', message: `must be a positive integer, got ${batchSize}` });
  }
  const size = tokenizer.config.imageSize;
  if (images.rank !== 4 || images.shape[1] !== size || images.shape[2] !== size || images.shape[3] !== 3 || images.shape[0] === 0) {
    throw new ShapeMismatchError({ tensorName: 'images', expected: [null, size, size, 3], actual: images.shape, context: 'measureVqReconstruction' });
  }
  const count = images.shape[0];
  const codeCounts = new Array<number>(tokenizer.config.codebookSize).fill(0);
  let squaredErrorSum = 0;
  let correctPixels = 0;
  let exactImages = 0;
  for (let start = 0; start < count; start += batchSize) {
    const length = Math.min(batchSize, count - start);
    const [squaredError, pixelCorrect, indices] = tf.tidy(() => {
      const batch = tf.slice(images, [start, 0, 0, 0], [length, size, size, 3]);
      const codes = tokenizer.encodeToIndices(batch);
      const reconstructed = tokenizer.decodeIndices(codes);
      const difference = tf.sub(reconstructed, batch);
      const correct = tf.cast(tf.lessEqual(tf.max(tf.abs(difference), -1), pixelTolerance), 'float32'); // [n, s, s]
      return [tf.sum(tf.square(difference)), tf.reshape(correct, [length, size * size]), codes] as const;
    });
    const [errorValue, correctValues, indexValues] = await Promise.all([squaredError.data(), pixelCorrect.data(), indices.data()]);
    tf.dispose([squaredError, pixelCorrect, indices]);
    squaredErrorSum += errorValue[0] as number;
    for (let image = 0; image < length; image++) {
      let correctInImage = 0;
      for (let pixel = 0; pixel < size * size; pixel++) correctInImage += correctValues[image * size * size + pixel] as number;
      correctPixels += correctInImage;
      if (correctInImage === size * size) exactImages += 1;
    }
    for (const index of indexValues) codeCounts[index] = (codeCounts[index] as number) + 1;
  }
  const meanSquaredError = squaredErrorSum / (count * size * size * 3);
  const totalCodes = codeCounts.reduce((sum, value) => sum + value, 0);
  let entropy = 0;
  for (const value of codeCounts) if (value > 0) entropy -= (value / totalCodes) * Math.log(value / totalCodes);
  const codesUsed = codeCounts.filter((value) => value > 0).length;
  return {
    images: count,
    meanSquaredError,
    psnr: 10 * Math.log10(1 / Math.max(meanSquaredError, 1e-12)),
    pixelAccuracy: correctPixels / (count * size * size),
    exactImageFraction: exactImages / count,
    codesUsed,
    codeUsage: codesUsed / codeCounts.length,
    perplexity: Math.exp(entropy),
    codeCounts,
  };
}
