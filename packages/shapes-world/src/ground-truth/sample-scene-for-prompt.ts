import type { SeededRandom } from '@reca/runtime';
import { SceneSamplingError } from '../errors/scene-sampling-error.js';
import { shapeColors } from '../palette/shape-color.js';
import { checkRequirements } from '../prompts/check-requirements.js';
import type { ObservedObject } from '../prompts/observed-object.js';
import type { PromptRequirements } from '../prompts/prompt-requirements.js';
import { objectCentroid } from '../scene/object-centroid.js';
import { type ObjectSpecification, placeObjects } from '../scene/place-objects.js';
import type { Scene, SceneObject } from '../scene/scene.js';
import { resolveSceneOptions, type SceneOptions } from '../scene/scene-options.js';
import { shapeKinds } from '../scene/shape-kind.js';

/** Options of {@link sampleSceneForPrompt}. */
export interface SampleSceneForPromptOptions extends SceneOptions {
  /**
   * Add random extra objects (up to `maximumObjects` in all) that keep every requirement true, so ground truth is not
   * only the bare minimum the prompt names.
   * @default true
   */
  distractors?: boolean;
}

/** The ground-truth view of scene objects (colour, shape, centroid), as requirements are checked. */
export function observeScene(objects: readonly SceneObject[]): ObservedObject[] {
  return objects.map((object) => ({ color: object.color, shape: object.shape, ...objectCentroid(object) }));
}

const attempts = 2000;

/**
 * Draws a scene that satisfies a prompt's requirements (ground truth for the evaluator): the objects each include
 * entry asks for (random colour or shape where the prompt leaves them open), optionally random distractors, placed
 * at random until every requirement — counts, exclusions, relations — holds on the scene's own objects.
 *
 * @throws SceneSamplingError when no such scene is found (contradictory requirements, or too many objects).
 */
export function sampleSceneForPrompt(
  requirements: PromptRequirements,
  random: SeededRandom,
  options: SampleSceneForPromptOptions = {},
): Scene {
  const resolved = resolveSceneOptions(options);
  const { distractors = true } = options;
  const size = () => resolved.minimumSize + random.integer(resolved.maximumSize - resolved.minimumSize + 1);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const specifications: ObjectSpecification[] = requirements.include.flatMap((requirement) =>
      Array.from({ length: requirement.count }, () => ({
        color: requirement.color ?? random.choice(shapeColors),
        shape: requirement.shape ?? random.choice(shapeKinds),
        size: size(),
      })),
    );
    const room = Math.max(0, resolved.maximumObjects - specifications.length);
    const extra = distractors && attempt < attempts / 2 && room > 0 ? random.integer(room + 1) : 0;
    for (let index = 0; index < extra; index++) {
      specifications.push({ color: random.choice(shapeColors), shape: random.choice(shapeKinds), size: size() });
    }
    const objects = placeObjects(random, random.permutation(specifications.length).map((index) => specifications[index] as ObjectSpecification), resolved);
    if (objects === undefined) continue;
    if (checkRequirements(observeScene(objects), requirements).passed) {
      return { width: resolved.canvasSize, height: resolved.canvasSize, objects };
    }
  }
  throw new SceneSamplingError({ request: `requirements ${JSON.stringify(requirements)}`, attempts });
}
