import { SeededRandom, tf } from '@reca/runtime';

/** Deterministic test images: float32 [batch, size, size, 3] in [0, 1] with a few flat-coloured blocks. */
export function makeConformanceImages(batchSize: number, size: number, seed: number): tf.Tensor4D {
  const random = new SeededRandom(seed);
  const values = new Float32Array(batchSize * size * size * 3);
  for (let image = 0; image < batchSize; image++) {
    const blockSize = Math.max(1, Math.floor(size / 2));
    for (let block = 0; block < 2; block++) {
      const top = random.integer(size - blockSize + 1);
      const left = random.integer(size - blockSize + 1);
      const colour = [random.integer(2), random.integer(2), random.integer(2)];
      for (let row = top; row < top + blockSize; row++) {
        for (let column = left; column < left + blockSize; column++) {
          for (let channel = 0; channel < 3; channel++) {
            values[((image * size + row) * size + column) * 3 + channel] = colour[channel] as number;
          }
        }
      }
    }
  }
  return tf.tensor4d(values, [batchSize, size, size, 3]);
}

