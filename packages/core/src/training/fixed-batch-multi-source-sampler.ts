import { InvalidArgumentError, SeededRandom, type SeededRandomState } from '@reca/runtime';

/** Options of {@link FixedBatchMultiSourceSampler}. */
export interface FixedBatchMultiSourceSamplerOptions<T> {
  /**
   * The data sources by name. The key order is the order of the cycle. The arrays are read, never copied or changed;
   * they must not change length while the sampler is used.
   */
  sources: Record<string, readonly T[]>;
  /**
   * Batches of each source per cycle (integers ≥ 0, at least one > 0), with exactly the keys of `sources`,
   * e.g. `{ reconstruction: 2, imageToText: 2, textToImage: 0 }`.
   */
  repeat: Record<string, number>;
  /** Items per batch (integer ≥ 1). */
  batchSize: number;
  /**
   * Randomness for the shuffles. Each source draws from its own stream, `random.fork('fixed-batch-multi-source-sampler:<source>')`
   * (forking does not advance `random`), so adding a source does not change the order of the others.
   */
  random: SeededRandom;
}

/** One batch from {@link FixedBatchMultiSourceSampler.next}. */
export interface SourceBatch<T> {
  /** Name of the source every item of the batch comes from. */
  source: string;
  /** `batchSize` items of that source. */
  items: T[];
  /** Indices of the items in their source array. */
  indices: number[];
}

/** Position of one source in its infinite shuffled stream. JSON-serialisable. */
export interface SourceSamplerState {
  /** Length of the source when the state was taken (checked on restore). */
  size: number;
  /** Completed passes over the source (0 during the first pass). */
  epoch: number;
  /** Items of the current pass already handed out (0 ≤ cursor ≤ size). */
  cursor: number;
  /** State of the source's random stream before the current pass's permutation was drawn: the permutation is redrawn from it. */
  epochStartRandom: SeededRandomState;
}

/** Everything needed to resume a {@link FixedBatchMultiSourceSampler} exactly. JSON-serialisable. */
export interface FixedBatchMultiSourceSamplerState {
  version: 1;
  batchSize: number;
  repeat: Record<string, number>;
  /** Index of the next batch within the cycle, in [0, Σ repeat). */
  cyclePosition: number;
  sources: Record<string, SourceSamplerState>;
}

interface SourceCursor {
  readonly items: readonly unknown[];
  readonly random: SeededRandom;
  permutation: number[];
  epoch: number;
  cursor: number;
  epochStartRandom: SeededRandomState;
}

const randomLabelPrefix = 'fixed-batch-multi-source-sampler:';

/**
 * Harmon's `FixedBatchMultiSourceSampler`: an infinite sequence of single-source batches in a fixed cycle.
 *
 * A cycle yields `repeat[source]` batches of each source in turn, in the key order of `sources` (with
 * `{ reconstruction: 2, imageToText: 2 }`: R, R, I, I, R, R, I, I, …). Each source is read through an endless stream
 * of permutations of its indices — a fresh seeded shuffle per pass (epoch) — so every item appears exactly once per
 * pass, and a batch that reaches the end of a pass is completed from the next pass (nothing is dropped or padded).
 * {@link getState}/{@link setState} resume the sequence exactly.
 */
export class FixedBatchMultiSourceSampler<T> {
  readonly batchSize: number;
  /** Source name of each batch of one cycle, in order. */
  readonly cycle: readonly string[];
  private readonly repeat: Readonly<Record<string, number>>;
  private readonly sourceCursors = new Map<string, SourceCursor>();
  private cyclePosition = 0;

  /**
   * @throws InvalidArgumentError when `batchSize` is not an integer ≥ 1, `repeat` and `sources` have different keys,
   *   a repeat is not an integer ≥ 0, all repeats are 0, or a source with repeat > 0 is empty.
   */
  constructor({ sources, repeat, batchSize, random }: FixedBatchMultiSourceSamplerOptions<T>) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new InvalidArgumentError({ argument: 'batchSize', message: `must be an integer ≥ 1, got ${batchSize}` });
    }
    const names = Object.keys(sources);
    if (names.length === 0) throw new InvalidArgumentError({ argument: 'sources', message: 'must name at least one source' });
    for (const name of Object.keys(repeat)) {
      if (!Object.hasOwn(sources, name)) {
        throw new InvalidArgumentError({ argument: 'repeat', message: `'${name}' is not a source (sources: ${names.join(', ')})` });
      }
    }
    const cycle: string[] = [];
    for (const name of names) {
      const count = Object.hasOwn(repeat, name) ? repeat[name] : undefined;
      if (count === undefined) {
        throw new InvalidArgumentError({ argument: 'repeat', message: `has no entry for source '${name}' (use 0 to skip it)` });
      }
      if (!Number.isInteger(count) || count < 0) {
        throw new InvalidArgumentError({ argument: `repeat.${name}`, message: `must be an integer ≥ 0, got ${count}` });
      }
      const items = sources[name] as readonly T[];
      if (count > 0 && items.length === 0) {
        throw new InvalidArgumentError({ argument: `sources.${name}`, message: `is empty but repeat.${name} is ${count}` });
      }
      for (let index = 0; index < count; index++) cycle.push(name);
    }
    if (cycle.length === 0) {
      throw new InvalidArgumentError({ argument: 'repeat', message: `all repeats are 0: no source would ever be sampled` });
    }
    this.batchSize = batchSize;
    this.cycle = cycle;
    this.repeat = Object.freeze(Object.fromEntries(names.map((name) => [name, repeat[name] as number])));
    for (const name of names) {
      const streamRandom = random.fork(`${randomLabelPrefix}${name}`);
      const items = sources[name] as readonly T[];
      const epochStartRandom = streamRandom.getState();
      this.sourceCursors.set(name, {
        items,
        random: streamRandom,
        permutation: streamRandom.permutation(items.length),
        epoch: 0,
        cursor: 0,
        epochStartRandom,
      });
    }
  }

  /** The next batch: `batchSize` items of one source, the source given by the position in the cycle. */
  next(): SourceBatch<T> {
    const source = this.cycle[this.cyclePosition] as string;
    const cursor = this.sourceCursors.get(source) as SourceCursor;
    const items: T[] = [];
    const indices: number[] = [];
    while (indices.length < this.batchSize) {
      if (cursor.cursor === cursor.permutation.length) {
        cursor.epochStartRandom = cursor.random.getState();
        cursor.permutation = cursor.random.permutation(cursor.items.length);
        cursor.epoch += 1;
        cursor.cursor = 0;
      }
      const index = cursor.permutation[cursor.cursor] as number;
      cursor.cursor += 1;
      indices.push(index);
      items.push(cursor.items[index] as T);
    }
    this.cyclePosition = (this.cyclePosition + 1) % this.cycle.length;
    return { source, items, indices };
  }

  /** Completed passes over `source` so far. */
  epochOf(source: string): number {
    return this.getCursor(source).epoch;
  }

  /** A JSON-serialisable snapshot for exact resumption (no item data, only positions and random states). */
  getState(): FixedBatchMultiSourceSamplerState {
    const sources: Record<string, SourceSamplerState> = {};
    for (const [name, cursor] of this.sourceCursors) {
      sources[name] = {
        size: cursor.items.length,
        epoch: cursor.epoch,
        cursor: cursor.cursor,
        epochStartRandom: copyRandomState(cursor.epochStartRandom),
      };
    }
    return { version: 1, batchSize: this.batchSize, repeat: { ...this.repeat }, cyclePosition: this.cyclePosition, sources };
  }

  /**
   * Resumes from a {@link getState} snapshot. The sampler must have been built with the same source names and sizes,
   * `repeat` and `batchSize`; the seed given to the constructor does not matter.
   *
   * @throws InvalidArgumentError naming the first field that does not fit; nothing changes when it throws.
   */
  setState(state: FixedBatchMultiSourceSamplerState): void {
    const fail = (field: string, message: string): never => {
      throw new InvalidArgumentError({ argument: `state.${field}`, message });
    };
    if (state?.version !== 1) fail('version', `must be 1, got ${JSON.stringify(state?.version)}`);
    if (state.batchSize !== this.batchSize) fail('batchSize', `is ${state.batchSize} but this sampler's batchSize is ${this.batchSize}`);
    const names = [...this.sourceCursors.keys()];
    const stateRepeat = state.repeat ?? {};
    if (
      Object.keys(stateRepeat).length !== names.length ||
      names.some((name) => stateRepeat[name] !== this.repeat[name])
    ) {
      fail('repeat', `is ${JSON.stringify(stateRepeat)} but this sampler's repeat is ${JSON.stringify(this.repeat)}`);
    }
    if (!Number.isInteger(state.cyclePosition) || state.cyclePosition < 0 || state.cyclePosition >= this.cycle.length) {
      fail('cyclePosition', `must be an integer in [0, ${this.cycle.length}), got ${state.cyclePosition}`);
    }
    const stateSources = state.sources ?? {};
    if (Object.keys(stateSources).length !== names.length) {
      fail('sources', `has sources ${Object.keys(stateSources).join(', ')} but this sampler has ${names.join(', ')}`);
    }
    const restored = new Map<string, { permutation: number[]; random: SeededRandom; sourceState: SourceSamplerState }>();
    for (const name of names) {
      const sourceState = Object.hasOwn(stateSources, name) ? stateSources[name] : undefined;
      if (sourceState === undefined) return fail('sources', `has no entry for source '${name}'`);
      const size = (this.sourceCursors.get(name) as SourceCursor).items.length;
      if (sourceState.size !== size) fail(`sources.${name}.size`, `is ${sourceState.size} but the source has ${size} items`);
      if (!Number.isInteger(sourceState.cursor) || sourceState.cursor < 0 || sourceState.cursor > size) {
        fail(`sources.${name}.cursor`, `must be an integer in [0, ${size}], got ${sourceState.cursor}`);
      }
      if (!Number.isInteger(sourceState.epoch) || sourceState.epoch < 0) {
        fail(`sources.${name}.epoch`, `must be an integer ≥ 0, got ${sourceState.epoch}`);
      }
      const random = SeededRandom.fromState(sourceState.epochStartRandom);
      restored.set(name, { permutation: random.permutation(size), random, sourceState });
    }
    for (const [name, { permutation, random, sourceState }] of restored) {
      const cursor = this.sourceCursors.get(name) as SourceCursor;
      this.sourceCursors.set(name, {
        items: cursor.items,
        random,
        permutation,
        epoch: sourceState.epoch,
        cursor: sourceState.cursor,
        epochStartRandom: copyRandomState(sourceState.epochStartRandom),
      });
    }
    this.cyclePosition = state.cyclePosition;
  }

  private getCursor(source: string): SourceCursor {
    const cursor = this.sourceCursors.get(source);
    if (cursor === undefined) {
      throw new InvalidArgumentError({ argument: 'source', message: `unknown source '${source}' (sources: ${[...this.sourceCursors.keys()].join(', ')})` });
    }
    return cursor;
  }
}

function copyRandomState(state: SeededRandomState): SeededRandomState {
  const [first, second, third, fourth] = state.words;
  return { algorithm: state.algorithm, words: [first, second, third, fourth] };
}
