import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeTemporaryFolder, patternImage } from '../__fixtures__/test-images.js';
import { readImageRgb } from '../image/read-image-rgb.js';
import { layoutImageGrid, renderImageGrid } from './render-image-grid.js';
import { upscaleNearest } from './upscale-nearest.js';
import { writeImageGrid } from './write-image-grid.js';

describe('upscaleNearest', () => {
  it('repeats each pixel factor × factor times', () => {
    const image = { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    expect(Array.from(upscaleNearest(image, 2).data)).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    expect(() => upscaleNearest(image, 1.5)).toThrow(/positive integer/);
  });
});

describe('renderImageGrid / writeImageGrid', () => {
  it('places every enlarged image exactly in its cell and draws the labels as dark text', async () => {
    const rows = [
      { label: 'before', images: [patternImage(8, 8, 0), patternImage(8, 8, 1), patternImage(8, 8, 2)] },
      { label: 'after RecA', images: [patternImage(8, 8, 3), patternImage(8, 8, 4)] },
    ];
    const options = { rows, columnLabels: ['seed 0', 'seed 1', 'seed 2'], title: 'a red circle', scale: 3, padding: 5 };
    const layout = layoutImageGrid(options);
    const folder = await makeTemporaryFolder();
    const path = join(folder, 'grid', 'samples.png');
    await writeImageGrid(path, options);
    const grid = await readImageRgb(path);
    expect([grid.width, grid.height]).toEqual([layout.width, layout.height]);
    expect([layout.cellWidth, layout.cellHeight]).toEqual([24, 24]);
    rows.forEach((row, rowIndex) => {
      row.images.forEach((image, column) => {
        const large = upscaleNearest(image, 3);
        for (let y = 0; y < large.height; y++) {
          for (let x = 0; x < large.width; x++) {
            const target = ((layout.rowTops[rowIndex] as number) + y) * grid.width + (layout.columnLefts[column] as number) + x;
            for (let channel = 0; channel < 3; channel++) {
              expect(grid.data[target * 3 + channel]).toBe(large.data[(y * large.width + x) * 3 + channel]);
            }
          }
        }
      });
    });
    // Row labels sit left of the first column: that strip must contain dark (text) pixels; the empty third cell of
    // row 2 stays white.
    let dark = 0;
    for (let y = layout.rowTops[0] as number; y < (layout.rowTops[0] as number) + layout.cellHeight; y++) {
      for (let x = 0; x < (layout.columnLefts[0] as number); x++) if ((grid.data[(y * grid.width + x) * 3] as number) < 100) dark++;
    }
    expect(dark).toBeGreaterThan(10);
    const emptyCell = ((layout.rowTops[1] as number) + 10) * grid.width + (layout.columnLefts[2] as number) + 10;
    expect(Array.from(grid.data.subarray(emptyCell * 3, emptyCell * 3 + 3))).toEqual([255, 255, 255]);
  });

  it('escapes label text and rejects an empty grid', async () => {
    const png = await renderImageGrid({ rows: [{ label: '<a & b>', images: [patternImage(4, 4)] }] });
    expect((await sharp(png).metadata()).format).toBe('png');
    await expect(renderImageGrid({ rows: [] })).rejects.toThrow(/at least one image/);
  });
});
