/**
 * The 1-D interpolation matrices of tfjs's image resizing (same arithmetic as its forward kernels). Resizing is
 * separable: `output[b, :, :, c] = rows · image[b, :, :, c] · columnsᵀ`, with `rows` [outHeight, inHeight] and
 * `columns` [outWidth, inWidth] from these functions.
 */

function sizeRatio(inSize: number, outSize: number, alignCorners: boolean): number {
  const corners = alignCorners && outSize > 1;
  return (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
}

/**
 * Bilinear weights: row `o` puts `1 − frac` on floor(source) and `frac` on ceil(source), source =
 * `ratio·(o + 0.5) − 0.5` with half-pixel centres or `ratio·o` otherwise, clamped to the image.
 * @returns float32 [outSize, inSize], row-major.
 */
export function bilinearInterpolationMatrix(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const ratio = sizeRatio(inSize, outSize, alignCorners);
  const matrix = new Float32Array(outSize * inSize);
  for (let out = 0; out < outSize; out++) {
    const source = halfPixelCenters ? ratio * (out + 0.5) - 0.5 : ratio * out;
    const low = Math.max(0, Math.floor(source));
    const high = Math.min(inSize - 1, Math.ceil(source));
    const fraction = source - low;
    matrix[out * inSize + low] = (matrix[out * inSize + low] as number) + (1 - fraction);
    matrix[out * inSize + high] = (matrix[out * inSize + high] as number) + fraction;
  }
  return matrix;
}

/**
 * Nearest-neighbour selection: row `o` has a single 1 at the source pixel (rounded with aligned corners, floored
 * otherwise; source = `ratio·(o + 0.5)` with half-pixel centres).
 * @returns float32 [outSize, inSize], row-major.
 */
export function nearestInterpolationMatrix(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const ratio = sizeRatio(inSize, outSize, alignCorners);
  const matrix = new Float32Array(outSize * inSize);
  for (let out = 0; out < outSize; out++) {
    const source = halfPixelCenters ? ratio * (out + 0.5) : ratio * out;
    let nearest = Math.min(inSize - 1, alignCorners ? Math.round(source) : Math.floor(source));
    if (halfPixelCenters) nearest = Math.max(0, nearest);
    matrix[out * inSize + nearest] = 1;
  }
  return matrix;
}
