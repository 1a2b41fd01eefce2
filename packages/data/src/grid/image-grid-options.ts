import type { RgbImage } from '../image/rgb-image.js';

/** One row of an image grid: its images left to right and an optional label drawn to their left. */
export interface ImageGridRow {
  readonly label?: string;
  readonly images: readonly RgbImage[];
}

/** Layout of an image grid (rows of samples with labels, for reports). */
export interface ImageGridOptions {
  readonly rows: readonly ImageGridRow[];
  /** Labels above the columns (e.g. sample index or seed). @default none */
  readonly columnLabels?: readonly string[];
  /** A line of text above everything. @default none */
  readonly title?: string;
  /** Integer nearest-neighbour enlargement of every image. @default 4 */
  readonly scale?: number;
  /** Pixels between cells and around the grid. @default 4 */
  readonly padding?: number;
  /** Label font size in pixels. @default 12 */
  readonly fontSize?: number;
  /** Background colour, RGB 0–255. @default [255, 255, 255] */
  readonly background?: readonly [number, number, number];
  /** Text colour, RGB 0–255. @default [0, 0, 0] */
  readonly textColor?: readonly [number, number, number];
}
