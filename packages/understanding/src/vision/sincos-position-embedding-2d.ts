import { InvalidArgumentError } from '@reca/runtime';
import { assertPositiveInteger } from '../checks.js';

/** Options of {@link sincosPositionEmbedding2d}. */
export interface SincosPositionEmbedding2dOptions {
  /**
   * Multiplies the row and column coordinates, e.g. `nativeGrid / grid` so that a lower-resolution image spans the
   * same coordinate range as the native one (see `VisionTransformerConfig.positionScale`).
   * @default 1
   */
  coordinateScale?: number;
  /** The lowest frequency's period. @default 10000 */
  maxPeriod?: number;
}

/**
 * Fixed 2-D sine-cosine position embeddings for a `rows × columns` grid of patch tokens in row-major order, the
 * MAE/DiT convention (`get_2d_sincos_pos_embed`): the first `width/2` channels encode the **column** coordinate,
 * the last `width/2` the **row** coordinate (MAE's `np.meshgrid(grid_w, grid_h)` puts the column first); each half is
 * `[sin(pos · ω_0 … ω_{n−1}), cos(pos · ω_0 … ω_{n−1})]` with `n = width/4` and `ω_i = maxPeriod^(−i/n)`.
 *
 * Computed on the host for any grid, so a ViT with these embeddings reads images of any size that is a multiple of
 * its patch size (the RecA bottleneck feeds lower resolutions than the native one).
 *
 * @param width - embedding width, a multiple of 4.
 * @param rows - grid rows.
 * @param columns - grid columns.
 * @returns float32 values of shape `[rows · columns, width]`, row-major (token `r · columns + c`).
 */
export function sincosPositionEmbedding2d(
  width: number,
  rows: number,
  columns: number,
  options: SincosPositionEmbedding2dOptions = {},
): Float32Array {
  const { coordinateScale = 1, maxPeriod = 10000 } = options;
  assertPositiveInteger(width, 'width');
  assertPositiveInteger(rows, 'rows');
  assertPositiveInteger(columns, 'columns');
  if (width % 4 !== 0) {
    throw new InvalidArgumentError({ argument: 'width', message: `must be a multiple of 4 for 2-D sine-cosine embeddings, got ${width}` });
  }
  if (!(coordinateScale > 0) || !Number.isFinite(coordinateScale)) {
    throw new InvalidArgumentError({ argument: 'coordinateScale', message: `must be a positive finite number, got ${coordinateScale}` });
  }
  const quarter = width / 4;
  const frequencies = Array.from({ length: quarter }, (_, index) => 1 / maxPeriod ** (index / quarter));
  const values = new Float32Array(rows * columns * width);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const offset = (row * columns + column) * width;
      for (let index = 0; index < quarter; index++) {
        const frequency = frequencies[index] as number;
        const columnAngle = column * coordinateScale * frequency;
        const rowAngle = row * coordinateScale * frequency;
        values[offset + index] = Math.sin(columnAngle);
        values[offset + quarter + index] = Math.cos(columnAngle);
        values[offset + 2 * quarter + index] = Math.sin(rowAngle);
        values[offset + 3 * quarter + index] = Math.cos(rowAngle);
      }
    }
  }
  return values;
}
