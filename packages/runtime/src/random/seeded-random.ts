import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/** Serializable state of a {@link SeededRandom}: store it in a checkpoint to resume a run exactly. */
export interface SeededRandomState {
  readonly algorithm: 'xoshiro128**';
  /** Four unsigned 32-bit words. */
  readonly words: readonly [number, number, number, number];
}

/** splitmix32: spreads a 32-bit seed over a well-mixed state word (used only for seeding). */
function splitMix32(seed: number): () => number {
  let value = seed >>> 0;
  return () => {
    value = (value + 0x9e3779b9) >>> 0;
    let mixed = value;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b) >>> 0;
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35) >>> 0;
    return (mixed ^ (mixed >>> 16)) >>> 0;
  };
}

/** FNV-1a hash of a string to 32 bits, so streams can be named (`random.fork('masking')`). */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Seeded, reproducible random numbers (xoshiro128**), independent of the tensor backend.
 *
 * Written by hand because tfjs's own random ops are seeded per call, differ between backends and expose no state to
 * checkpoint; `seedrandom` has state but no named sub-streams. Every random draw in RecA-TS (initial weights, batch
 * order, masks, noise, timesteps, instructions) comes from one of these, so the same seed gives the same run on every
 * backend, and {@link getState}/{@link setState} make resumption exact.
 */
export class SeededRandom {
  /** The four state words, stored as int32 bit patterns (the typed array wraps every store, so no `>>> 0` per step). */
  private words = new Int32Array(4);

  /** @param seed - an integer or a string; equal seeds give equal streams. */
  constructor(seed: number | string) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) {
      throw new InvalidArgumentError({ argument: 'seed', message: `must be a finite number, got ${seed}` });
    }
    const next = splitMix32(typeof seed === 'string' ? hashString(seed) : Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32));
    this.words.set([next(), next(), next(), next()]);
    if (this.words.every((word) => word === 0)) this.words[0] = 1;
  }

  /** A generator restored from a saved state. */
  static fromState(state: SeededRandomState): SeededRandom {
    const random = new SeededRandom(0);
    random.setState(state);
    return random;
  }

  getState(): SeededRandomState {
    const [first, second, third, fourth] = Array.from(this.words, (word) => word >>> 0) as [number, number, number, number];
    return { algorithm: 'xoshiro128**', words: [first, second, third, fourth] };
  }

  setState(state: SeededRandomState): void {
    if (state?.algorithm !== 'xoshiro128**' || !Array.isArray(state.words) || state.words.length !== 4) {
      throw new InvalidArgumentError({
        argument: 'state',
        message: `expected { algorithm: 'xoshiro128**', words: [4 uint32] }, got ${JSON.stringify(state)}`,
      });
    }
    this.words.set(state.words.map((word) => word >>> 0));
  }

  /**
   * An independent stream derived from this one's current state and a label. Forking does not advance this
   * generator, so adding a new consumer does not change the draws of existing ones.
   */
  fork(label: string): SeededRandom {
    const child = new SeededRandom(0);
    const next = splitMix32((this.words[0] ^ hashString(label) ^ Math.imul(this.words[3], 0x27d4eb2d)) >>> 0);
    child.words.set([next() ^ (this.words[1] as number), next() ^ (this.words[2] as number), next(), next()]);
    if (child.words.every((word) => word === 0)) child.words[0] = 1;
    return child;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    return advance(this.words);
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, maxExclusive). */
  integer(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) {
      throw new InvalidArgumentError({ argument: 'maxExclusive', message: `must be a positive integer, got ${maxExclusive}` });
    }
    return Math.floor(this.uniform() * maxExclusive);
  }

  /** Standard normal (Box–Muller; two uniforms per draw, no cached spare, so the state stays four words). */
  normal(mean = 0, standardDeviation = 1): number {
    return normalDraw(this.words, mean, standardDeviation);
  }

  /** Normal(loc, scale) truncated to [low, high] by rejection (MAR's mask-ratio draw uses loc 1, scale 0.25, [0.7, 1]). */
  truncatedNormal(loc: number, scale: number, low: number, high: number): number {
    if (!(low < high)) throw new InvalidArgumentError({ argument: 'low', message: `low ${low} must be < high ${high}` });
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const value = this.normal(loc, scale);
      if (value >= low && value <= high) return value;
    }
    return Math.min(high, Math.max(low, loc));
  }

  /** True with probability `probability`. */
  bernoulli(probability: number): boolean {
    return this.uniform() < probability;
  }

  /** One element of a non-empty array, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new InvalidArgumentError({ argument: 'items', message: 'cannot choose from an empty array' });
    return items[this.integer(items.length)] as T;
  }

  /** A uniformly random permutation of 0..size-1 (Fisher–Yates). */
  permutation(size: number): number[] {
    const order = Array.from({ length: size }, (_, index) => index);
    for (let index = size - 1; index > 0; index--) {
      const other = this.integer(index + 1);
      [order[index], order[other]] = [order[other] as number, order[index] as number];
    }
    return order;
  }

  /** Float32 samples of N(mean, std²). */
  normalArray(count: number, mean = 0, standardDeviation = 1): Float32Array {
    const values = new Float32Array(count);
    const words = this.words;
    for (let index = 0; index < count; index++) values[index] = normalDraw(words, mean, standardDeviation);
    return values;
  }

  /** Float32 samples of U[low, high). */
  uniformArray(count: number, low = 0, high = 1): Float32Array {
    const values = new Float32Array(count);
    for (let index = 0; index < count; index++) values[index] = low + (high - low) * this.uniform();
    return values;
  }

  /** A float32 tensor of N(mean, std²) samples. The caller owns the returned tensor. */
  normalTensor(shape: number[], mean = 0, standardDeviation = 1): tf.Tensor {
    return tf.tensor(this.normalArray(sizeOf(shape), mean, standardDeviation), shape, 'float32');
  }

  /** A float32 tensor of U[low, high) samples. The caller owns the returned tensor. */
  uniformTensor(shape: number[], low = 0, high = 1): tf.Tensor {
    return tf.tensor(this.uniformArray(sizeOf(shape), low, high), shape, 'float32');
  }
}

/** Rotates a 32-bit pattern left (int32 result). */
function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** An N(mean, standardDeviation²) draw: Box–Muller from two uniforms, the first in (0, 1] so its log is finite. */
function normalDraw(words: Int32Array, mean: number, standardDeviation: number): number {
  const first = 1 - advance(words) / 4294967296;
  const second = advance(words) / 4294967296;
  return mean + standardDeviation * Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}

/** One xoshiro128** step on `words` (int32 bit patterns); returns the output as an unsigned 32-bit integer. */
function advance(words: Int32Array): number {
  const second = words[1] as number;
  const result = Math.imul(rotateLeft(Math.imul(second, 5), 7), 9) >>> 0;
  const third = (words[2] as number) ^ (words[0] as number);
  const fourth = (words[3] as number) ^ second;
  words[0] = (words[0] as number) ^ fourth;
  words[1] = second ^ third;
  words[2] = third ^ (second << 9);
  words[3] = rotateLeft(fourth, 11);
  return result;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}
