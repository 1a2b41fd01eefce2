/** The three ShapesWorld v1 shapes, in a fixed order. */
export const shapeKinds = ['circle', 'square', 'triangle'] as const;

/** One of the three ShapesWorld shapes. */
export type ShapeKind = (typeof shapeKinds)[number];

/** True when `word` is one of {@link shapeKinds}. */
export function isShapeKind(word: string): word is ShapeKind {
  return (shapeKinds as readonly string[]).includes(word);
}
