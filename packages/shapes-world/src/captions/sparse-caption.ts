import { InvalidArgumentError, type SeededRandom } from '@reca/runtime';
import type { Scene, SceneObject } from '../scene/scene.js';
import { shapeKinds } from '../scene/shape-kind.js';
import type { SparseCaptionOptions } from './caption-options.js';
import { hidesCombination } from './describe-object.js';
import { numberWord } from './number-words.js';

/** One true fragment about one object: "a red circle" (½), "a circle" (¼) or "a red shape" (¼); hidden combinations never get the full form. */
function objectFragment(object: SceneObject, random: SeededRandom, policy: NonNullable<SparseCaptionOptions['heldout']>): string {
  const draw = random.uniform();
  const full = !hidesCombination(object.color, object.shape, policy);
  if (draw < 0.5 && full) return `a ${object.color} ${object.shape}`;
  const partial = full ? (draw < 0.75 ? 'shape' : 'color') : draw < 0.5 ? 'shape' : 'color';
  return partial === 'shape' ? `a ${object.shape}` : `a ${object.color} shape`;
}

/**
 * A sparse caption, like web alt-text: one random true fragment about the scene, never a relation.
 * - most often (1 − pair − count) one object: "a red circle", "a circle" or "a red shape";
 * - sometimes (`pairProbability`) two different objects: "a red circle and a blue square" (each part may be partial);
 * - sometimes (`countProbability`) an exact count: "three objects", "one object", or "two squares" for a shape that
 *   appears two or more times.
 * Every fragment is true of the scene (tests check this by parsing it back). Held-out combinations are never named
 * fully unless `heldout` is `none`. All randomness comes from `random`.
 */
export function sparseCaption(scene: Scene, random: SeededRandom, options: SparseCaptionOptions = {}): string {
  const { heldout = 'captions', pairProbability = 0.2, countProbability = 0.15 } = options;
  if (!(pairProbability >= 0 && countProbability >= 0 && pairProbability + countProbability <= 1)) {
    throw new InvalidArgumentError({
      argument: 'options',
      message: `pairProbability (${pairProbability}) and countProbability (${countProbability}) must be ≥ 0 and sum to ≤ 1`,
    });
  }
  const objects = scene.objects;
  if (objects.length === 0) throw new InvalidArgumentError({ argument: 'scene', message: 'a sparse caption needs at least one object' });
  const draw = random.uniform();
  if (draw < countProbability) {
    const counts = shapeKinds
      .map((shape) => ({ shape, count: objects.filter((object) => object.shape === shape).length }))
      .filter(({ count }) => count >= 2)
      .map(({ shape, count }) => `${numberWord(count)} ${shape}s`);
    const total = objects.length === 1 ? 'one object' : `${numberWord(objects.length)} objects`;
    return random.choice([total, ...counts]);
  }
  if (draw < countProbability + pairProbability && objects.length >= 2) {
    const [firstIndex, secondIndex] = random.permutation(objects.length) as [number, number];
    const first = objectFragment(objects[firstIndex] as SceneObject, random, heldout);
    const second = objectFragment(objects[secondIndex] as SceneObject, random, heldout);
    return `${first} and ${second}`;
  }
  return objectFragment(random.choice(objects), random, heldout);
}
