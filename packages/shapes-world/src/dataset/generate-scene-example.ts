import type { RgbImage } from '@reca/data';
import { SeededRandom } from '@reca/runtime';
import type { SparseCaptionOptions } from '../captions/caption-options.js';
import { denseCaption } from '../captions/dense-caption.js';
import { sparseCaption } from '../captions/sparse-caption.js';
import { allCombinations, trainingCombinations } from '../heldout/heldout-combinations.js';
import type { HeldoutPolicy } from '../heldout/heldout-policy.js';
import { renderScene } from '../render/render-scene.js';
import { sampleScene } from '../scene/sample-scene.js';
import type { Scene } from '../scene/scene.js';
import type { SceneOptions } from '../scene/scene-options.js';
import { toObjectRecord } from '../scene/scene-record.js';
import type { SceneRecord } from './scene-record.js';

/** Options of a generated ShapesWorld dataset. */
export interface ShapesDatasetOptions extends SceneOptions {
  /** Seed of the whole dataset; scene `i` depends only on (seed, i). */
  seed: number | string;
  /** How held-out combinations appear. @default 'captions' */
  heldout?: HeldoutPolicy;
  /** Mix of sparse caption kinds. @default pair 0.2, count 0.15 */
  sparse?: Pick<SparseCaptionOptions, 'pairProbability' | 'countProbability'>;
}

/** One generated example: the scene, its image, captions and scenes.jsonl record. */
export interface SceneExample {
  readonly index: number;
  readonly scene: Scene;
  readonly image: RgbImage;
  readonly record: SceneRecord;
}

/**
 * Generates example `index` of a dataset. Deterministic in (seed, index): the scene uses the stream
 * `new SeededRandom(seed).fork('scene-' + index)` and the sparse caption `fork('sparse-' + index)`, so a dataset of
 * N scenes is a prefix of one of 2N, and examples can be made in any order or in parallel.
 */
export function generateSceneExample(index: number, options: ShapesDatasetOptions): SceneExample {
  const base = new SeededRandom(options.seed);
  const heldout = options.heldout ?? 'captions';
  const scene = sampleScene(base.fork(`scene-${index}`), {
    ...options,
    combinations: heldout === 'scenes' ? trainingCombinations : allCombinations,
  });
  const record: SceneRecord = {
    file: `images/${index}.png`,
    dense: denseCaption(scene, { heldout }),
    sparse: sparseCaption(scene, base.fork(`sparse-${index}`), { heldout, ...options.sparse }),
    objects: scene.objects.map(toObjectRecord),
  };
  return { index, scene, image: renderScene(scene), record };
}
