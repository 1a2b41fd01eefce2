import { describe, expect, it } from 'vitest';
import { sincosPositionEmbedding2d } from './sincos-position-embedding-2d.js';

/** MAE's get_2d_sincos_pos_embed written out in float64 with numpy's meshgrid semantics (grid[0] = column). */
function maeReference(width: number, rows: number, columns: number): number[][] {
  const oneDimensional = (dim: number, position: number): number[] => {
    const omega = Array.from({ length: dim / 2 }, (_, index) => 1 / 10000 ** (index / (dim / 2)));
    return [...omega.map((w) => Math.sin(position * w)), ...omega.map((w) => Math.cos(position * w))];
  };
  const result: number[][] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      // np.meshgrid(grid_w, grid_h): grid[0][row][column] = column, grid[1][row][column] = row.
      result.push([...oneDimensional(width / 2, column), ...oneDimensional(width / 2, row)]);
    }
  }
  return result;
}

describe('sincosPositionEmbedding2d', () => {
  it('matches the MAE/DiT reference (column half first) on a non-square grid', () => {
    const values = sincosPositionEmbedding2d(8, 3, 2);
    const reference = maeReference(8, 3, 2);
    expect(values.length).toBe(3 * 2 * 8);
    reference.forEach((row, token) => row.forEach((value, channel) => expect(values[token * 8 + channel]).toBeCloseTo(value, 6)));
    // Token (row 2, column 1) = index 5: its column half encodes 1, its row half encodes 2.
    expect(values[5 * 8]).toBeCloseTo(Math.sin(1), 6);
    expect(values[5 * 8 + 4]).toBeCloseTo(Math.sin(2), 6);
  });

  it('scales coordinates with coordinateScale', () => {
    const scaled = sincosPositionEmbedding2d(8, 2, 2, { coordinateScale: 2 });
    const native = sincosPositionEmbedding2d(8, 4, 4);
    // Scaled token (1, 1) reads native position (2, 2) = token 10.
    for (let channel = 0; channel < 8; channel++) expect(scaled[3 * 8 + channel]).toBeCloseTo(native[10 * 8 + channel] as number, 6);
  });

  it('rejects widths that are not multiples of 4', () => {
    expect(() => sincosPositionEmbedding2d(6, 2, 2)).toThrow(/multiple of 4/);
  });
});
