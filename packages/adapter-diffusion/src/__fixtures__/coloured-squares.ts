import { SeededRandom, tf } from '@reca/runtime';

/** ShapesWorld's colours as RGB in [0, 1] (DESIGN.md §3). */
const palette: ReadonlyArray<readonly [number, number, number]> = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
  [1, 0, 1],
  [0, 1, 1],
];

/**
 * Test images: black canvases with one or two filled coloured squares (side `size / 4` to `size / 2`) at random
 * positions, deterministic in `seed`.
 *
 * @returns float32 `[count, size, size, 3]` in [0, 1]; the caller owns it.
 */
export function colouredSquares(count: number, size: number, seed: number): tf.Tensor4D {
  const random = new SeededRandom(seed);
  const values = new Float32Array(count * size * size * 3);
  for (let image = 0; image < count; image++) {
    const squares = 1 + random.integer(2);
    for (let square = 0; square < squares; square++) {
      const side = Math.floor(size / 4) + random.integer(Math.floor(size / 4) + 1);
      const top = random.integer(size - side + 1);
      const left = random.integer(size - side + 1);
      const colour = palette[random.integer(palette.length)] as readonly [number, number, number];
      for (let row = top; row < top + side; row++) {
        for (let column = left; column < left + side; column++) {
          values.set(colour, ((image * size + row) * size + column) * 3);
        }
      }
    }
  }
  return tf.tensor4d(values, [count, size, size, 3]);
}
