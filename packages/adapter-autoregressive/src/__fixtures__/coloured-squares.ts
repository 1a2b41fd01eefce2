import { SeededRandom, tf } from '@reca/runtime';

/** Saturated colours of the fixture (ShapesWorld's palette). */
export const squareColours: readonly (readonly [number, number, number])[] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
  [1, 0, 1],
  [0, 1, 1],
];

/**
 * Test images: black canvases with 1–2 axis-aligned filled squares of saturated colours (a stand-in for ShapesWorld,
 * which this package does not depend on). Squares span about `size/4 … size/2` pixels; with `cell > 1` their sides
 * and corners snap to multiples of `cell` (so each `cell × cell` block is one flat colour).
 *
 * @returns float32 `[count, size, size, 3]` in [0, 1]; the caller owns it.
 */
export function colouredSquares(count: number, size: number, seed: number, cell = 1): tf.Tensor4D {
  const random = new SeededRandom(seed);
  const values = new Float32Array(count * size * size * 3);
  for (let image = 0; image < count; image++) {
    const squares = 1 + random.integer(2);
    for (let square = 0; square < squares; square++) {
      const side = cell * Math.max(1, Math.round((Math.floor(size / 4) + random.integer(Math.floor(size / 4) + 1)) / cell));
      const top = cell * random.integer(Math.floor((size - side) / cell) + 1);
      const left = cell * random.integer(Math.floor((size - side) / cell) + 1);
      const colour = random.choice(squareColours);
      for (let row = top; row < top + side; row++) {
        for (let column = left; column < left + side; column++) {
          values.set(colour, ((image * size + row) * size + column) * 3);
        }
      }
    }
  }
  return tf.tensor4d(values, [count, size, size, 3]);
}
