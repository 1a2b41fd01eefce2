import type { SceneObject } from './scene.js';

/**
 * True when the boxes of `first` and `second` leave at least `gap` empty pixels between them horizontally or
 * vertically (so with gap ≥ 1 their pixels are not 8-neighbours).
 */
export function boxesSeparated(first: SceneObject, second: SceneObject, gap: number): boolean {
  return (
    first.left + first.size + gap <= second.left ||
    second.left + second.size + gap <= first.left ||
    first.top + first.size + gap <= second.top ||
    second.top + second.size + gap <= first.top
  );
}
