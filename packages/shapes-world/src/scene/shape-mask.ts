import { InvalidArgumentError } from '@reca/runtime';
import type { ShapeKind } from './shape-kind.js';

/**
 * Whether pixel (column, row) of an object's `size × size` box is part of the shape. This is *the* definition of
 * each ShapesWorld v1 shape; the renderer, the centroids in scenes.jsonl and the evaluator's ground truth all use it.
 *
 * Coordinates: the box covers columns and rows `0 … size - 1`; pixel (c, r) has its centre at (c + ½, r + ½), and
 * the box's centre is (size/2, size/2). "Size" (7–11 px "across") is the side of the box, and every shape touches all
 * four sides of its box: its width and its height are both exactly `size` pixels.
 *
 * - square: every pixel of the box.
 * - circle: pixels whose centre lies within distance size/2 of the box centre:
 *   (c + ½ − size/2)² + (r + ½ − size/2)² ≤ (size/2)².
 * - triangle (upright, isosceles: apex at the top, base along the bottom row): the triangle with apex (size/2, 0) and
 *   base from (0, size) to (size, size); row r keeps the pixels whose centre is within the triangle's half-width at
 *   the row's lower edge: |c + ½ − size/2| ≤ (r + 1) / 2. Row widths grow by one pixel on each side every two rows
 *   (7 px: 1, 3, 3, 5, 5, 7, 7), the bottom row is the full `size`, the top row 1 (odd size) or 2 (even size) pixels.
 */
export function isInsideShape(shape: ShapeKind, size: number, column: number, row: number): boolean {
  const half = size / 2;
  const dx = column + 0.5 - half;
  switch (shape) {
    case 'square':
      return true;
    case 'circle': {
      const dy = row + 0.5 - half;
      return dx * dx + dy * dy <= half * half;
    }
    case 'triangle':
      return Math.abs(dx) <= (row + 1) / 2;
  }
}

const maskCache = new Map<string, Uint8Array>();

/**
 * The pixels of a shape in its `size × size` box as a 0/1 mask, row-major (`mask[row * size + column]`), per
 * {@link isInsideShape}. Cached; do not modify the returned array.
 */
export function shapeMask(shape: ShapeKind, size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError({ argument: 'size', message: `must be a positive integer, got ${size}` });
  const key = `${shape}:${size}`;
  let mask = maskCache.get(key);
  if (mask === undefined) {
    mask = new Uint8Array(size * size);
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) mask[row * size + column] = isInsideShape(shape, size, column, row) ? 1 : 0;
    }
    maskCache.set(key, mask);
  }
  return mask;
}
