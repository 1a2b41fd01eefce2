/**
 * Shape arithmetic used by the WebGPU rank fixes: tfjs-backend-webgpu 4.22 generates shaders for ranks ≤ 4 only in
 * some kernels (PadV2, MirrorPad, Reverse), so the fixes merge adjacent dimensions that can be merged without
 * changing the result, and fall back to one dimension at a time when that is not enough.
 */

/** The stock WebGPU kernels handle these ranks correctly. */
export const maximumSafeWebGpuRank = 4;

/** A constant pad rewritten on a collapsed shape. */
export interface CollapsedPad {
  readonly shape: number[];
  readonly paddings: Array<[number, number]>;
}

function product(sizes: readonly number[]): number {
  return sizes.reduce((total, size) => total * size, 1);
}

/**
 * Collapses a constant (zero or other value) pad. Leading unpadded dimensions merge into one; each padded dimension
 * absorbs the unpadded dimensions after it (padding an outer index by `p` rows of an inner block of size `k` is
 * padding the merged dimension by `p·k`). The result has rank ≤ 1 + the number of padded dimensions.
 */
export function collapseConstantPad(shape: readonly number[], paddings: ReadonlyArray<readonly [number, number]>): CollapsedPad {
  const collapsedShape: number[] = [];
  const collapsedPaddings: Array<[number, number]> = [];
  let dimension = 0;
  let leading = 1;
  while (dimension < shape.length && isUnpadded(paddings[dimension])) leading *= shape[dimension++] as number;
  if (dimension > 0) {
    collapsedShape.push(leading);
    collapsedPaddings.push([0, 0]);
  }
  while (dimension < shape.length) {
    const [before, after] = paddings[dimension] as readonly [number, number];
    let size = shape[dimension++] as number;
    let inner = 1;
    while (dimension < shape.length && isUnpadded(paddings[dimension])) inner *= shape[dimension++] as number;
    size *= inner;
    collapsedShape.push(size);
    collapsedPaddings.push([before * inner, after * inner]);
  }
  return { shape: collapsedShape, paddings: collapsedPaddings };
}

/**
 * Collapses a mirror pad: only runs of unpadded dimensions merge (mirroring an outer index would also reverse the
 * inner block in a merged dimension).
 */
export function collapseMirrorPad(shape: readonly number[], paddings: ReadonlyArray<readonly [number, number]>): CollapsedPad {
  const collapsedShape: number[] = [];
  const collapsedPaddings: Array<[number, number]> = [];
  for (let dimension = 0; dimension < shape.length; dimension++) {
    const padding = paddings[dimension] as readonly [number, number];
    const previousUnpadded = collapsedPaddings.length > 0 && isUnpadded(collapsedPaddings[collapsedPaddings.length - 1]);
    if (isUnpadded(padding) && previousUnpadded) {
      collapsedShape[collapsedShape.length - 1] = (collapsedShape[collapsedShape.length - 1] as number) * (shape[dimension] as number);
    } else {
      collapsedShape.push(shape[dimension] as number);
      collapsedPaddings.push([padding[0], padding[1]]);
    }
  }
  return { shape: collapsedShape, paddings: collapsedPaddings };
}

/** A reverse rewritten on a collapsed shape. */
export interface CollapsedReverse {
  readonly shape: number[];
  readonly axes: number[];
}

/** Merges adjacent dimensions that are both reversed or both kept (reversing two adjacent axes reverses their merge). */
export function collapseReverse(shape: readonly number[], axes: readonly number[]): CollapsedReverse {
  const reversed = new Set(axes.map((axis) => (axis < 0 ? axis + shape.length : axis)));
  const collapsedShape: number[] = [];
  const collapsedAxes: number[] = [];
  let previous: boolean | undefined;
  for (let dimension = 0; dimension < shape.length; dimension++) {
    const isReversed = reversed.has(dimension);
    if (previous === isReversed) {
      collapsedShape[collapsedShape.length - 1] = (collapsedShape[collapsedShape.length - 1] as number) * (shape[dimension] as number);
    } else {
      collapsedShape.push(shape[dimension] as number);
      if (isReversed) collapsedAxes.push(collapsedShape.length - 1);
    }
    previous = isReversed;
  }
  return { shape: collapsedShape, axes: collapsedAxes };
}

/**
 * The shape [before, shape[dimension], after] that isolates one dimension: any single-dimension pad or reverse is
 * a rank-3 operation on it.
 */
export function isolateDimension(shape: readonly number[], dimension: number): [number, number, number] {
  return [product(shape.slice(0, dimension)), shape[dimension] as number, product(shape.slice(dimension + 1))];
}

function isUnpadded(padding: readonly [number, number] | undefined): boolean {
  return padding !== undefined && padding[0] === 0 && padding[1] === 0;
}
