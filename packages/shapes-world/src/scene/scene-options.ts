import { InvalidArgumentError } from '@reca/runtime';

/** Size limits of ShapesWorld scenes. The defaults are the ShapesWorld v1 contract. */
export interface SceneOptions {
  /** Canvas width and height in pixels. @default 32 */
  canvasSize?: number;
  /** Fewest objects per scene. @default 1 */
  minimumObjects?: number;
  /** Most objects per scene. @default 4 */
  maximumObjects?: number;
  /** Smallest object size (pixels across). @default 7 */
  minimumSize?: number;
  /** Largest object size (pixels across). @default 11 */
  maximumSize?: number;
  /**
   * Empty pixels required between the boxes of any two objects (horizontally or vertically). With 1, objects never
   * touch, not even at a corner, so 8-connected components separate two objects of the same colour.
   * @default 1
   */
  minimumGap?: number;
}

/** {@link SceneOptions} with every default filled in. */
export type ResolvedSceneOptions = Required<SceneOptions>;

/** Fills in the defaults of {@link SceneOptions} and checks them. */
export function resolveSceneOptions(options: SceneOptions = {}): ResolvedSceneOptions {
  const resolved: ResolvedSceneOptions = {
    canvasSize: options.canvasSize ?? 32,
    minimumObjects: options.minimumObjects ?? 1,
    maximumObjects: options.maximumObjects ?? 4,
    minimumSize: options.minimumSize ?? 7,
    maximumSize: options.maximumSize ?? 11,
    minimumGap: options.minimumGap ?? 1,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError({ argument: `options.${key}`, message: `must be a non-negative integer, got ${value}` });
  }
  if (resolved.minimumObjects < 1 || resolved.maximumObjects < resolved.minimumObjects) {
    throw new InvalidArgumentError({
      argument: 'options.maximumObjects',
      message: `need 1 ≤ minimumObjects ≤ maximumObjects, got ${resolved.minimumObjects} and ${resolved.maximumObjects}`,
    });
  }
  if (resolved.minimumSize < 2 || resolved.maximumSize < resolved.minimumSize) {
    throw new InvalidArgumentError({
      argument: 'options.maximumSize',
      message: `need 2 ≤ minimumSize ≤ maximumSize, got ${resolved.minimumSize} and ${resolved.maximumSize}`,
    });
  }
  if (resolved.canvasSize < resolved.maximumSize) {
    throw new InvalidArgumentError({
      argument: 'options.canvasSize',
      message: `must be at least maximumSize (${resolved.maximumSize}), got ${resolved.canvasSize}`,
    });
  }
  return resolved;
}
