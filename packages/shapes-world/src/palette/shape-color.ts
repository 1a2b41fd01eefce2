/** The six ShapesWorld v1 colours, in a fixed order (this order is part of the contract: ids, tables, held-out split). */
export const shapeColors = ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan'] as const;

/** One of the six ShapesWorld colours. */
export type ShapeColor = (typeof shapeColors)[number];

/** An 8-bit RGB triple. */
export type Rgb = readonly [number, number, number];

/** The exact RGB each colour is rendered with (ShapesWorld v1 contract). The background is black (0, 0, 0). */
export const shapeColorRgb: Readonly<Record<ShapeColor, Rgb>> = {
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
  yellow: [255, 255, 0],
  magenta: [255, 0, 255],
  cyan: [0, 255, 255],
};

/** The background colour, black. */
export const backgroundRgb: Rgb = [0, 0, 0];

/** True when `word` is one of {@link shapeColors}. */
export function isShapeColor(word: string): word is ShapeColor {
  return (shapeColors as readonly string[]).includes(word);
}
