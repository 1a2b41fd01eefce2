import type { SceneObjectRecord } from '../scene/scene-record.js';

/** One line of scenes.jsonl (DESIGN.md §5). */
export interface SceneRecord {
  /** The image path relative to the dataset folder: `images/{index}.png`. */
  readonly file: string;
  readonly dense: string;
  readonly sparse: string;
  readonly objects: readonly SceneObjectRecord[];
}
