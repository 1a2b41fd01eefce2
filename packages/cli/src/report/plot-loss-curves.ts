import type { RgbImage } from '@reca/data';

/** One curve of a loss plot. */
export interface LossSeries {
  readonly name: string;
  /** RGB 0–255. */
  readonly color: readonly [number, number, number];
  /** `[step, value]` points in step order. */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** Distinct colours for up to 8 curves (RGB 0–255), with their names for legends. */
export const seriesColors: ReadonlyArray<{ name: string; rgb: readonly [number, number, number] }> = [
  { name: 'blue', rgb: [31, 119, 180] },
  { name: 'orange', rgb: [255, 127, 14] },
  { name: 'green', rgb: [44, 160, 44] },
  { name: 'red', rgb: [214, 39, 40] },
  { name: 'purple', rgb: [148, 103, 189] },
  { name: 'brown', rgb: [140, 86, 75] },
  { name: 'pink', rgb: [227, 119, 194] },
  { name: 'grey', rgb: [127, 127, 127] },
];

/** Moving average over `window` points (centred where possible), to make noisy step losses readable. */
export function smoothPoints(points: ReadonlyArray<readonly [number, number]>, window: number): Array<[number, number]> {
  const half = Math.floor(window / 2);
  return points.map(([step], index) => {
    const slice = points.slice(Math.max(0, index - half), Math.min(points.length, index + half + 1));
    return [step, slice.reduce((sum, [, value]) => sum + value, 0) / slice.length];
  });
}

/**
 * Renders loss curves on a white canvas with a light grid (10 divisions per axis): x = step (first to last), y =
 * log10(loss) between the smallest and largest positive value of all curves (each curve drawn 2 px wide). There is
 * no text in the image: write the axis ranges and the colour legend next to it.
 *
 * @returns the image and the ranges it spans.
 */
export function plotLossCurves(
  series: readonly LossSeries[],
  { width = 480, height = 240 }: { width?: number; height?: number } = {},
): { image: RgbImage; steps: [number, number]; losses: [number, number] } {
  const data = new Uint8Array(width * height * 3).fill(255);
  const all = series.flatMap((curve) => curve.points.filter(([, value]) => value > 0 && Number.isFinite(value)));
  const steps: [number, number] = all.length ? [Math.min(...all.map(([step]) => step)), Math.max(...all.map(([step]) => step))] : [0, 1];
  const losses: [number, number] = all.length ? [Math.min(...all.map(([, value]) => value)), Math.max(...all.map(([, value]) => value))] : [1, 10];
  const [logLow, logHigh] = [Math.log10(losses[0]), Math.log10(losses[1]) + (losses[1] === losses[0] ? 1 : 0)];
  const margin = 8;
  const put = (x: number, y: number, rgb: readonly [number, number, number]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const offset = (y * width + x) * 3;
    data[offset] = rgb[0];
    data[offset + 1] = rgb[1];
    data[offset + 2] = rgb[2];
  };
  for (let division = 0; division <= 10; division++) {
    const x = Math.round(margin + ((width - 2 * margin - 1) * division) / 10);
    const y = Math.round(margin + ((height - 2 * margin - 1) * division) / 10);
    for (let row = margin; row < height - margin; row++) put(x, row, [225, 225, 225]);
    for (let column = margin; column < width - margin; column++) put(column, y, [225, 225, 225]);
  }
  const toPixel = ([step, value]: readonly [number, number]): [number, number] => [
    Math.round(margin + ((step - steps[0]) / Math.max(1, steps[1] - steps[0])) * (width - 2 * margin - 1)),
    Math.round(height - margin - 1 - ((Math.log10(value) - logLow) / (logHigh - logLow)) * (height - 2 * margin - 1)),
  ];
  for (const curve of series) {
    const points = curve.points.filter(([, value]) => value > 0 && Number.isFinite(value)).map(toPixel);
    for (let index = 1; index < points.length; index++) {
      const [[x0, y0], [x1, y1]] = [points[index - 1] as [number, number], points[index] as [number, number]];
      const length = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
      for (let t = 0; t <= length; t++) {
        const x = Math.round(x0 + ((x1 - x0) * t) / length);
        const y = Math.round(y0 + ((y1 - y0) * t) / length);
        put(x, y, curve.color);
        put(x, y + 1, curve.color);
      }
    }
  }
  return { image: { width, height, data }, steps, losses };
}
