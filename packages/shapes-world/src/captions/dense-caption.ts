import { type Point, objectCentroid } from '../scene/object-centroid.js';
import type { Scene, SceneObject } from '../scene/scene.js';
import { relationThresholdPixels, type Relation } from '../prompts/relation.js';
import type { CaptionOptions } from './caption-options.js';
import { objectNoun } from './describe-object.js';

/** The relation used to link two objects in a dense caption, or `undefined` when their centroids are too close. */
function dominantRelation(subject: Point, reference: Point): Relation | undefined {
  const dx = reference.x - subject.x;
  const dy = reference.y - subject.y;
  if (Math.abs(dx) >= Math.abs(dy) && Math.abs(dx) >= relationThresholdPixels) return dx > 0 ? 'left of' : 'right of';
  if (Math.abs(dy) >= relationThresholdPixels) return dy > 0 ? 'above' : 'below';
  if (Math.abs(dx) >= relationThresholdPixels) return dx > 0 ? 'left of' : 'right of';
  return undefined;
}

/**
 * The dense caption of a scene: every object (colour and shape), left to right, then one relation sentence for each
 * neighbouring pair in that order, along the axis where their centroids differ most.
 *
 * @example "a red circle, a blue square and a green triangle. the red circle is left of the blue square. the blue square is above the green triangle."
 *
 * Held-out combinations are named "a {colour} shape" unless `heldout` is `none`. Deterministic (no randomness).
 */
export function denseCaption(scene: Scene, options: CaptionOptions = {}): string {
  const policy = options.heldout ?? 'captions';
  const placed = scene.objects
    .map((object) => ({ object, centroid: objectCentroid(object) }))
    .sort((first, second) => first.centroid.x - second.centroid.x || first.centroid.y - second.centroid.y);
  const noun = (object: SceneObject) => objectNoun(object.color, object.shape, policy);
  const phrases = placed.map(({ object }) => `a ${noun(object)}`);
  const list = phrases.length <= 1 ? (phrases[0] ?? 'nothing') : `${phrases.slice(0, -1).join(', ')} and ${phrases.at(-1)}`;
  const sentences = [list];
  for (let index = 0; index + 1 < placed.length; index++) {
    const subject = placed[index] as (typeof placed)[number];
    const reference = placed[index + 1] as (typeof placed)[number];
    const relation = dominantRelation(subject.centroid, reference.centroid);
    if (relation !== undefined) sentences.push(`the ${noun(subject.object)} is ${relation} the ${noun(reference.object)}`);
  }
  return `${sentences.join('. ')}.`;
}
