import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { assertPositiveInteger } from './shape-checks.js';

/**
 * How the head dimension is cut into rotation pairs:
 * - `'interleaved'`: pairs `(0, 1), (2, 3), …` — the original LLaMA and LlamaGen (`view_as_complex` of `[…, d/2, 2]`).
 * - `'half'`: pairs `(i, i + d/2)` — HF transformers' `rotate_half` (LLaMA/Qwen2 checkpoints in HF format, BAGEL).
 * Rotating pair `p` by angle `θ`: `(a, b) → (a·cos θ − b·sin θ, b·cos θ + a·sin θ)`.
 */
export type RotaryLayout = 'interleaved' | 'half';

/**
 * Precomputed rotary position embedding (RoPE) for a sequence of positions. `cos`/`sin` hold, for every position
 * and channel, the cosine/sine of the angle of the pair that channel belongs to (so each angle appears twice).
 * The tensors are owned by whoever built the embedding (dispose them with {@link disposeRotaryEmbedding}).
 */
export interface RotaryEmbedding {
  /** float32 `[positions, headDim]`. */
  readonly cos: tf.Tensor2D;
  /** float32 `[positions, headDim]`. */
  readonly sin: tf.Tensor2D;
  readonly layout: RotaryLayout;
}

/** Options of {@link rotaryEmbedding1d}. */
export interface RotaryEmbedding1dOptions {
  /** Frequency base θ: pair `i` of `d/2` turns at `base^(−2i/d)` radians per position. @default 10000 */
  base?: number;
  /** @default 'interleaved' */
  layout?: RotaryLayout;
}

/** Options of {@link rotaryEmbedding2d}. */
export interface RotaryEmbedding2dOptions extends RotaryEmbedding1dOptions {
  /**
   * Number of non-image positions placed before the grid (class/condition tokens, as in LlamaGen's 2-D RoPE); they
   * get angle 0, i.e. no rotation.
   * @default 0
   */
  prefixLength?: number;
}

/**
 * 1-D RoPE (RoFormer; LLaMA): position `m`, pair `i` rotates by `m · base^(−2i/headDim)`.
 *
 * @param positions - integer (or fractional) positions, one per token; e.g. `[past, …, past + n − 1]` when decoding
 *   with a KV cache.
 * @param headDim - even channel count per head.
 * @returns `cos`/`sin` float32 `[positions.length, headDim]`; the caller owns them.
 */
export function rotaryEmbedding1d(
  positions: ArrayLike<number>,
  headDim: number,
  options: RotaryEmbedding1dOptions = {},
): RotaryEmbedding {
  const { base = 10000, layout = 'interleaved' } = options;
  assertEven(headDim, 2, 'headDim');
  const frequencies = pairFrequencies(headDim / 2, headDim, base);
  const angles = new Float64Array(positions.length * frequencies.length);
  for (let token = 0; token < positions.length; token++) {
    const position = positions[token] as number;
    for (let pair = 0; pair < frequencies.length; pair++) {
      angles[token * frequencies.length + pair] = position * (frequencies[pair] as number);
    }
  }
  return fromPairAngles(angles, positions.length, headDim, layout);
}

/**
 * 2-D RoPE for a `height × width` grid of image tokens in row-major order (token `r · width + c`): the first half of
 * the rotation pairs encodes the row `r`, the second half the column `c`, each with 1-D frequencies over `headDim/2`
 * channels (pair `i` of `headDim/4` turns at `base^(−2i/(headDim/2))`). This matches LlamaGen's
 * `precompute_freqs_cis_2d` (rows, then columns) in the `'interleaved'` layout.
 *
 * @param height - grid rows.
 * @param width - grid columns.
 * @param headDim - channel count per head, a multiple of 4.
 * @returns `cos`/`sin` float32 `[prefixLength + height · width, headDim]`; the caller owns them.
 */
export function rotaryEmbedding2d(
  height: number,
  width: number,
  headDim: number,
  options: RotaryEmbedding2dOptions = {},
): RotaryEmbedding {
  const { base = 10000, layout = 'interleaved', prefixLength = 0 } = options;
  assertPositiveInteger(height, 'height');
  assertPositiveInteger(width, 'width');
  assertEven(headDim, 4, 'headDim');
  if (!Number.isInteger(prefixLength) || prefixLength < 0) {
    throw new InvalidArgumentError({ argument: 'prefixLength', message: `must be a non-negative integer, got ${prefixLength}` });
  }
  const axisPairs = headDim / 4;
  const frequencies = pairFrequencies(axisPairs, headDim / 2, base);
  const pairs = headDim / 2;
  const length = prefixLength + height * width;
  const angles = new Float64Array(length * pairs);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const offset = (prefixLength + row * width + column) * pairs;
      for (let pair = 0; pair < axisPairs; pair++) {
        angles[offset + pair] = row * (frequencies[pair] as number);
        angles[offset + axisPairs + pair] = column * (frequencies[pair] as number);
      }
    }
  }
  return fromPairAngles(angles, length, headDim, layout);
}

/**
 * Rotates every channel pair of `input` by its position's angle (RoPE). Apply it to queries and keys (after any
 * q/k norm, before the dot product), not to values.
 *
 * @param input - float32 `[..., positions, headDim]` (rank ≥ 2; typically `[batch, heads, positions, headDim]`).
 * @param rotary - built for exactly `positions` tokens and `headDim` channels.
 * @returns float32, same shape; the caller owns it.
 */
export function applyRotaryEmbedding(input: tf.Tensor, rotary: RotaryEmbedding): tf.Tensor {
  const [positions, headDim] = rotary.cos.shape;
  if (input.rank < 2 || input.shape[input.rank - 2] !== positions || input.shape[input.rank - 1] !== headDim) {
    throw new ShapeMismatchError({
      tensorName: 'input',
      expected: [...input.shape.slice(0, -2).map(() => null), positions, headDim],
      actual: input.shape,
      context: 'applyRotaryEmbedding (the rotary embedding covers a different number of positions or channels)',
    });
  }
  return tf.tidy(() => {
    const flat = tf.reshape(input, [-1, positions, headDim]);
    let rotated: tf.Tensor;
    if (rotary.layout === 'half') {
      const [first, second] = tf.split(flat, 2, -1) as [tf.Tensor, tf.Tensor];
      rotated = tf.concat([tf.neg(second), first], -1);
    } else {
      const pairs = tf.reshape(flat, [-1, headDim / 2, 2]);
      const [even, odd] = tf.split(pairs, 2, -1) as [tf.Tensor, tf.Tensor];
      rotated = tf.reshape(tf.concat([tf.neg(odd), even], -1), flat.shape);
    }
    const output = tf.add(tf.mul(flat, rotary.cos), tf.mul(rotated, rotary.sin));
    return tf.reshape(output, input.shape);
  });
}

/** Disposes the `cos`/`sin` tensors of a rotary embedding. */
export function disposeRotaryEmbedding(rotary: RotaryEmbedding): void {
  tf.dispose([rotary.cos, rotary.sin]);
}

/** `base^(−2i/dimension)` for `i < count`. */
function pairFrequencies(count: number, dimension: number, base: number): Float64Array {
  if (!(base > 0)) throw new InvalidArgumentError({ argument: 'base', message: `must be > 0, got ${base}` });
  const frequencies = new Float64Array(count);
  for (let pair = 0; pair < count; pair++) frequencies[pair] = Math.pow(base, (-2 * pair) / dimension);
  return frequencies;
}

/** Expands per-pair angles `[length, headDim/2]` to per-channel cos/sin `[length, headDim]` in the given layout. */
function fromPairAngles(angles: Float64Array, length: number, headDim: number, layout: RotaryLayout): RotaryEmbedding {
  if (layout !== 'half' && layout !== 'interleaved') {
    throw new InvalidArgumentError({ argument: 'layout', message: `must be 'interleaved' or 'half', got '${String(layout)}'` });
  }
  const pairs = headDim / 2;
  const cos = new Float32Array(length * headDim);
  const sin = new Float32Array(length * headDim);
  for (let token = 0; token < length; token++) {
    for (let pair = 0; pair < pairs; pair++) {
      const angle = angles[token * pairs + pair] as number;
      const [first, second] = layout === 'half' ? [pair, pair + pairs] : [2 * pair, 2 * pair + 1];
      cos[token * headDim + first] = cos[token * headDim + second] = Math.cos(angle);
      sin[token * headDim + first] = sin[token * headDim + second] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [length, headDim]), sin: tf.tensor2d(sin, [length, headDim]), layout };
}

function assertEven(headDim: number, multiple: number, argument: string): void {
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % multiple !== 0) {
    throw new InvalidArgumentError({ argument, message: `must be a positive multiple of ${multiple}, got ${headDim}` });
  }
}
