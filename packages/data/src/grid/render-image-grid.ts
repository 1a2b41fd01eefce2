import { InvalidArgumentError } from '@reca/runtime';
import sharp, { type OverlayOptions } from 'sharp';
import { assertRgbImage } from '../image/rgb-image.js';
import { escapeXml } from './escape-xml.js';
import type { ImageGridOptions } from './image-grid-options.js';
import { upscaleNearest } from './upscale-nearest.js';

/** Where each part of a grid lands, in output pixels (exposed so tests and callers can find cells). */
export interface ImageGridLayout {
  readonly width: number;
  readonly height: number;
  /** Left edge of each column's cells. */
  readonly columnLefts: readonly number[];
  /** Top edge of each row's cells. */
  readonly rowTops: readonly number[];
  /** Cell width and height (largest image × scale). */
  readonly cellWidth: number;
  readonly cellHeight: number;
}

/** Rough width of a string of `length` characters in a sans-serif font of `fontSize` px (for sizing label margins). */
function estimateTextWidth(length: number, fontSize: number): number {
  return Math.ceil(length * fontSize * 0.62);
}

/** Computes the layout of a grid without drawing it. */
export function layoutImageGrid(options: ImageGridOptions): ImageGridLayout {
  const { rows, columnLabels, title, scale = 4, padding = 4, fontSize = 12 } = options;
  if (rows.length === 0 || rows.every((row) => row.images.length === 0)) {
    throw new InvalidArgumentError({ argument: 'rows', message: 'an image grid needs at least one image' });
  }
  if (!Number.isInteger(padding) || padding < 0) throw new InvalidArgumentError({ argument: 'padding', message: `must be a non-negative integer, got ${padding}` });
  const images = rows.flatMap((row) => row.images);
  images.forEach((image, index) => assertRgbImage(image, `rows image ${index}`));
  const cellWidth = Math.max(...images.map((image) => image.width)) * scale;
  const cellHeight = Math.max(...images.map((image) => image.height)) * scale;
  const columns = Math.max(...rows.map((row) => row.images.length), columnLabels?.length ?? 0);
  const longestRowLabel = Math.max(0, ...rows.map((row) => row.label?.length ?? 0));
  const labelWidth = longestRowLabel > 0 ? estimateTextWidth(longestRowLabel, fontSize) + padding : 0;
  const lineHeight = Math.ceil(fontSize * 1.4);
  const titleHeight = title ? lineHeight + padding : 0;
  const columnLabelHeight = columnLabels && columnLabels.length > 0 ? lineHeight : 0;
  const left = padding + labelWidth;
  const top = padding + titleHeight + columnLabelHeight;
  const columnLefts = Array.from({ length: columns }, (_, column) => left + column * (cellWidth + padding));
  const rowTops = rows.map((_, row) => top + row * (cellHeight + padding));
  const gridWidth = left + columns * (cellWidth + padding);
  const width = Math.max(gridWidth, title ? estimateTextWidth(title.length, fontSize) + 2 * padding : 0);
  const height = top + rows.length * (cellHeight + padding);
  return { width, height, columnLefts, rowTops, cellWidth, cellHeight };
}

/**
 * Draws rows of images with row labels, column labels and a title into one PNG. Images are enlarged by `scale`
 * with nearest-neighbour (pixels stay exact) and placed at the top-left of equal cells; text is rendered by
 * librsvg (inside sharp) from an SVG overlay.
 *
 * @returns the PNG file bytes.
 */
export async function renderImageGrid(options: ImageGridOptions): Promise<Buffer> {
  const { rows, columnLabels = [], title, scale = 4, padding = 4, fontSize = 12 } = options;
  const [backgroundRed, backgroundGreen, backgroundBlue] = options.background ?? [255, 255, 255];
  const [textRed, textGreen, textBlue] = options.textColor ?? [0, 0, 0];
  const layout = layoutImageGrid(options);
  const fill = `rgb(${textRed},${textGreen},${textBlue})`;
  const texts: string[] = [];
  const lineHeight = Math.ceil(fontSize * 1.4);
  if (title) texts.push(`<text x="${padding}" y="${padding + fontSize}">${escapeXml(title)}</text>`);
  columnLabels.forEach((label, column) => {
    const left = layout.columnLefts[column];
    if (left === undefined) return;
    const baseline = (layout.rowTops[0] as number) - Math.ceil((lineHeight - fontSize) / 2) - 2;
    texts.push(`<text x="${left}" y="${baseline}">${escapeXml(label)}</text>`);
  });
  rows.forEach((row, index) => {
    if (!row.label) return;
    const baseline = (layout.rowTops[index] as number) + Math.min(layout.cellHeight, Math.round(layout.cellHeight / 2 + fontSize / 3));
    texts.push(`<text x="${padding}" y="${baseline}">${escapeXml(row.label)}</text>`);
  });
  const composites: OverlayOptions[] = [];
  if (texts.length > 0) {
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}">` +
      `<g font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="${fill}">${texts.join('')}</g></svg>`;
    composites.push({ input: Buffer.from(svg), left: 0, top: 0 });
  }
  rows.forEach((row, rowIndex) => {
    row.images.forEach((image, column) => {
      const large = upscaleNearest(image, scale);
      composites.push({
        input: Buffer.from(large.data.buffer, large.data.byteOffset, large.data.length),
        raw: { width: large.width, height: large.height, channels: 3 },
        left: layout.columnLefts[column] as number,
        top: layout.rowTops[rowIndex] as number,
      });
    });
  });
  return sharp({
    create: {
      width: layout.width,
      height: layout.height,
      channels: 3,
      background: { r: backgroundRed, g: backgroundGreen, b: backgroundBlue },
    },
  })
    .composite(composites)
    .removeAlpha()
    .png()
    .toBuffer();
}
