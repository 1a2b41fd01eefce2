import type { SeededRandom } from '@reca/runtime';
import { SceneSamplingError } from '../errors/scene-sampling-error.js';
import { allCombinations, type ColorShapeCombination } from '../heldout/heldout-combinations.js';
import type { ObjectSpecification } from './place-objects.js';
import { placeObjects } from './place-objects.js';
import type { Scene } from './scene.js';
import { resolveSceneOptions, type SceneOptions } from './scene-options.js';

/** Options of {@link sampleScene}: the size limits plus which colour–shape combinations may appear. */
export interface SampleSceneOptions extends SceneOptions {
  /**
   * The combinations objects are drawn from, uniformly.
   * @default all 18 (`allCombinations`)
   */
  combinations?: readonly ColorShapeCombination[];
}

/** Whole-scene attempts before giving up. */
const sceneAttempts = 200;

/**
 * Draws a random scene: an object count uniform in [minimumObjects, maximumObjects], each object a uniform
 * colour–shape combination and a uniform size in [minimumSize, maximumSize], placed uniformly without overlap.
 * All randomness comes from `random`.
 *
 * @throws SceneSamplingError when the objects cannot be placed (only with extreme options).
 */
export function sampleScene(random: SeededRandom, options: SampleSceneOptions = {}): Scene {
  const resolved = resolveSceneOptions(options);
  const combinations = options.combinations ?? allCombinations;
  const count = resolved.minimumObjects + random.integer(resolved.maximumObjects - resolved.minimumObjects + 1);
  for (let attempt = 0; attempt < sceneAttempts; attempt++) {
    const specifications: ObjectSpecification[] = Array.from({ length: count }, () => ({
      ...random.choice(combinations),
      size: resolved.minimumSize + random.integer(resolved.maximumSize - resolved.minimumSize + 1),
    }));
    const objects = placeObjects(random, specifications, resolved);
    if (objects !== undefined) return { width: resolved.canvasSize, height: resolved.canvasSize, objects };
  }
  throw new SceneSamplingError({ request: `${count} objects on a ${resolved.canvasSize}px canvas`, attempts: sceneAttempts });
}
