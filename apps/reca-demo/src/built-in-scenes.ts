import { SeededRandom, tf } from '@reca/runtime';

/** The six colours of the built-in data (the ShapesWorld palette). */
export const sceneColours = {
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
  yellow: [1, 1, 0],
  magenta: [1, 0, 1],
  cyan: [0, 1, 1],
} as const;
export type SceneColour = keyof typeof sceneColours;

const quadrantNames = ['top left', 'top right', 'bottom left', 'bottom right'] as const;

/** A batch of built-in scenes: images and their dense captions. */
export interface SceneBatch {
  /** float32 [count, size, size, 3] in [0, 1]; the caller owns it. */
  images: tf.Tensor4D;
  /** One dense caption per image, e.g. "red top left, blue bottom right". */
  captions: string[];
}

/**
 * The demo's built-in data: size×size black images with two differently coloured quadrants filled (4 quadrants,
 * 6 colours → 360 distinct scenes), each with a dense caption naming both. Small enough for the mock model; the
 * ShapesWorld generator (issue 4) replaces it in the recipes.
 */
export function makeScenes(count: number, size: number, seed: number): SceneBatch {
  const random = new SeededRandom(seed);
  const half = size / 2;
  const colourNames = Object.keys(sceneColours) as SceneColour[];
  const values = new Float32Array(count * size * size * 3);
  const captions: string[] = [];
  for (let image = 0; image < count; image++) {
    const [firstQuadrant, secondQuadrant] = random.permutation(4) as [number, number];
    const [firstColour, secondColour] = random.permutation(colourNames.length).map((index) => colourNames[index]) as [SceneColour, SceneColour];
    for (const [quadrant, colour] of [
      [firstQuadrant, firstColour],
      [secondQuadrant, secondColour],
    ] as const) {
      const top = quadrant < 2 ? 0 : half;
      const left = quadrant % 2 === 0 ? 0 : half;
      for (let row = top; row < top + half; row++) {
        for (let column = left; column < left + half; column++) {
          sceneColours[colour].forEach((value, channel) => {
            values[((image * size + row) * size + column) * 3 + channel] = value;
          });
        }
      }
    }
    const parts = [
      [firstQuadrant, firstColour],
      [secondQuadrant, secondColour],
    ].sort((left, right) => (left[0] as number) - (right[0] as number));
    captions.push(parts.map(([quadrant, colour]) => `${colour} ${quadrantNames[quadrant as number]}`).join(', '));
  }
  return { images: tf.tensor4d(values, [count, size, size, 3]), captions };
}

/** Words the built-in captions use (for the model's tokenizer). */
export const sceneWords: readonly string[] = [...Object.keys(sceneColours), 'top', 'bottom', 'left', 'right', ','];
