import { describe, expect, it } from 'vitest';
import { shapeKinds } from './shape-kind.js';
import { shapeMask } from './shape-mask.js';

const rowWidths = (mask: Uint8Array, size: number) =>
  Array.from({ length: size }, (_, row) => mask.subarray(row * size, (row + 1) * size).reduce((sum, value) => sum + value, 0));

describe('shapeMask', () => {
  it('fills the whole box for squares and touches all four sides for every shape and size 7–11', () => {
    for (const shape of shapeKinds) {
      for (let size = 7; size <= 11; size++) {
        const mask = shapeMask(shape, size);
        const rows = new Set<number>();
        const columns = new Set<number>();
        mask.forEach((value, index) => {
          if (value === 1) {
            rows.add(Math.floor(index / size));
            columns.add(index % size);
          }
        });
        expect([Math.min(...rows), Math.max(...rows), Math.min(...columns), Math.max(...columns)], `${shape} ${size}`).toEqual([0, size - 1, 0, size - 1]);
        // Left–right mirror symmetry.
        for (let row = 0; row < size; row++) {
          for (let column = 0; column < size; column++) expect(mask[row * size + column]).toBe(mask[row * size + size - 1 - column]);
        }
      }
    }
    expect(shapeMask('square', 9).every((value) => value === 1)).toBe(true);
  });

  it('draws the 7 px shapes pixel for pixel as documented', () => {
    expect(rowWidths(shapeMask('triangle', 7), 7)).toEqual([1, 3, 3, 5, 5, 7, 7]);
    expect(rowWidths(shapeMask('triangle', 8), 8)).toEqual([2, 2, 4, 4, 6, 6, 8, 8]);
    expect(rowWidths(shapeMask('circle', 7), 7)).toEqual([3, 5, 7, 7, 7, 5, 3]);
    expect(rowWidths(shapeMask('circle', 10), 10)).toEqual([4, 8, 8, 10, 10, 10, 10, 8, 8, 4]);
  });

  it('makes the triangle upright: rows never shrink going down, apex 1–2 px, base full width', () => {
    for (let size = 7; size <= 11; size++) {
      const widths = rowWidths(shapeMask('triangle', size), size);
      for (let row = 1; row < size; row++) expect(widths[row]).toBeGreaterThanOrEqual(widths[row - 1] as number);
      expect(widths[0]).toBe(size % 2 === 1 ? 1 : 2);
      expect(widths[size - 1]).toBe(size);
    }
  });
});
