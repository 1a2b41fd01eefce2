import { SeededRandom, tf } from '@reca/runtime';

const colours = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
  [1, 0, 1],
  [0, 1, 1],
] as const;

/** Names of the colours, in the order `colouredSquares` uses. */
export const colourNames = ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan'] as const;

/**
 * Test images: one filled square of a ShapesWorld colour (side `size/2`) at a random place on black, per image.
 *
 * @returns `images` float32 `[count, size, size, 3]` in {0, 1} and a caption per image (`'a red square'`).
 */
export function colouredSquares(count: number, size: number, seed: number): { images: tf.Tensor4D; captions: string[] } {
  const random = new SeededRandom(seed);
  const values = new Float32Array(count * size * size * 3);
  const captions: string[] = [];
  const side = Math.max(1, Math.floor(size / 2));
  for (let image = 0; image < count; image++) {
    const colour = random.integer(colours.length);
    const top = random.integer(size - side + 1);
    const left = random.integer(size - side + 1);
    for (let row = top; row < top + side; row++) {
      for (let column = left; column < left + side; column++) {
        for (let channel = 0; channel < 3; channel++) values[((image * size + row) * size + column) * 3 + channel] = colours[colour]![channel]!;
      }
    }
    captions.push(`a ${colourNames[colour]} square`);
  }
  return { images: tf.tensor4d(values, [count, size, size, 3]), captions };
}
