import { tf } from '@reca/runtime';
import { generateSceneExample } from '@reca/shapes-world';

/** ShapesWorld training data held in memory: images as one tensor plus each image's dense and sparse caption. */
export interface ShapesTrainingData {
  readonly count: number;
  readonly imageSize: number;
  /** float32 [count, imageSize, imageSize, 3] in [0, 1]; owned by this object (see {@link dispose}). */
  readonly images: tf.Tensor4D;
  /** Dense caption of each image (every object, colour, shape and relation). */
  readonly dense: readonly string[];
  /** Sparse (alt-text-like) caption of each image. */
  readonly sparse: readonly string[];
  /**
   * The images at `indices`.
   * @returns float32 [indices.length, imageSize, imageSize, 3] in [0, 1]; the caller owns it.
   */
  gather(indices: readonly number[]): tf.Tensor4D;
  dispose(): void;
}

/**
 * The built-in ShapesWorld data (DESIGN.md §3): scenes 0 … count−1 of the dataset `seed` (the same scenes
 * `reca shapes generate --seed S` writes), held-out colour–shape combinations drawn but never named together.
 */
export function builtInShapesData({ count, seed, imageSize = 32 }: { count: number; seed: number; imageSize?: number }): ShapesTrainingData {
  const pixels = new Float32Array(count * imageSize * imageSize * 3);
  const dense: string[] = [];
  const sparse: string[] = [];
  for (let index = 0; index < count; index++) {
    const example = generateSceneExample(index, { seed, canvasSize: imageSize });
    const data = example.image.data;
    const offset = index * imageSize * imageSize * 3;
    for (let position = 0; position < data.length; position++) pixels[offset + position] = (data[position] as number) / 255;
    dense.push(example.record.dense);
    sparse.push(example.record.sparse);
  }
  const images = tf.tensor4d(pixels, [count, imageSize, imageSize, 3]);
  return {
    count,
    imageSize,
    images,
    dense,
    sparse,
    gather: (indices) => tf.tidy(() => tf.gather(images, tf.tensor1d([...indices], 'int32')) as tf.Tensor4D),
    dispose: () => images.dispose(),
  };
}
