import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SeededRandom } from '@reca/runtime';
import { FixedBatchMultiSourceSampler } from './fixed-batch-multi-source-sampler.js';

const range = (size: number, prefix: string) => Array.from({ length: size }, (_, index) => `${prefix}${index}`);

function makeSampler(seed: number | string = 1) {
  return new FixedBatchMultiSourceSampler({
    sources: { reconstruction: range(10, 'r'), imageToText: range(7, 'i'), textToImage: range(5, 't') },
    repeat: { reconstruction: 2, imageToText: 1, textToImage: 0 },
    batchSize: 3,
    random: new SeededRandom(seed),
  });
}

describe('FixedBatchMultiSourceSampler', () => {
  it('yields single-source batches in the fixed cycle order, skipping sources with repeat 0', () => {
    const sampler = makeSampler();
    expect(sampler.cycle).toEqual(['reconstruction', 'reconstruction', 'imageToText']);
    const batches = Array.from({ length: 9 }, () => sampler.next());
    expect(batches.map((batch) => batch.source)).toEqual([
      'reconstruction', 'reconstruction', 'imageToText',
      'reconstruction', 'reconstruction', 'imageToText',
      'reconstruction', 'reconstruction', 'imageToText',
    ]);
    for (const batch of batches) {
      expect(batch.items).toHaveLength(3);
      const prefix = batch.source === 'reconstruction' ? 'r' : 'i';
      expect(batch.items.every((item) => item.startsWith(prefix))).toBe(true);
      expect(batch.items).toEqual(batch.indices.map((index) => `${prefix}${index}`));
    }
  });

  it('hands out every item exactly once per epoch, continuing a batch into the next epoch', () => {
    const sampler = makeSampler(11);
    const stream: string[] = [];
    // 7 reconstruction batches of 3 = 21 items = two full epochs of 10 plus one item of the third.
    let reconstructionBatches = 0;
    while (reconstructionBatches < 7) {
      const batch = sampler.next();
      if (batch.source !== 'reconstruction') continue;
      stream.push(...batch.items);
      reconstructionBatches += 1;
    }
    const firstEpoch = stream.slice(0, 10);
    const secondEpoch = stream.slice(10, 20);
    expect([...firstEpoch].sort()).toEqual([...range(10, 'r')].sort());
    expect([...secondEpoch].sort()).toEqual([...range(10, 'r')].sort());
    // Shuffled, and reshuffled per epoch.
    expect(firstEpoch).not.toEqual(range(10, 'r'));
    expect(secondEpoch).not.toEqual(firstEpoch);
    expect(sampler.epochOf('reconstruction')).toBe(2);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const sampler = makeSampler(seed);
      return Array.from({ length: 12 }, () => sampler.next().items.join(','));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('resumes exactly from a JSON round-trip of its state, mid-cycle and mid-epoch', () => {
    const straight = makeSampler(9);
    const expected = Array.from({ length: 30 }, () => straight.next());

    const first = makeSampler(9);
    for (let index = 0; index < 13; index++) first.next();
    const state = JSON.parse(JSON.stringify(first.getState()));
    const resumed = makeSampler('a different seed');
    resumed.setState(state);
    const continued = Array.from({ length: 17 }, () => resumed.next());
    expect(continued).toEqual(expected.slice(13));
  });

  it('rejects a state that does not fit', () => {
    const sampler = makeSampler();
    const state = sampler.getState();
    const other = new FixedBatchMultiSourceSampler({
      sources: { reconstruction: range(11, 'r'), imageToText: range(7, 'i'), textToImage: range(5, 't') },
      repeat: { reconstruction: 2, imageToText: 1, textToImage: 0 },
      batchSize: 3,
      random: new SeededRandom(1),
    });
    expect(() => other.setState(state)).toThrow(/sources\.reconstruction\.size/);
    expect(() => sampler.setState({ ...state, batchSize: 4 })).toThrow(/batchSize/);
    expect(() => sampler.setState({ ...state, cyclePosition: 3 })).toThrow(/cyclePosition/);
    expect(() => sampler.setState({ ...state, repeat: { ...state.repeat, textToImage: 1 } })).toThrow(/repeat/);
  });

  it('rejects bad configurations, naming the argument', () => {
    const random = new SeededRandom(0);
    const sources = { a: ['x'], b: [] as string[] };
    expect(() => new FixedBatchMultiSourceSampler({ sources, repeat: { a: 1, b: 1 }, batchSize: 2, random })).toThrow(/sources\.b/);
    expect(() => new FixedBatchMultiSourceSampler({ sources, repeat: { a: 0, b: 0 }, batchSize: 2, random })).toThrow(/all repeats are 0/);
    expect(() => new FixedBatchMultiSourceSampler({ sources, repeat: { a: 1, b: 0 }, batchSize: 0, random })).toThrow(/batchSize/);
    expect(() => new FixedBatchMultiSourceSampler({ sources, repeat: { a: 1 }, batchSize: 1, random })).toThrow(/'b'/);
    expect(() => new FixedBatchMultiSourceSampler({ sources, repeat: { a: 1, b: 0, c: 1 }, batchSize: 1, random })).toThrow(/'c'/);
    expect(() => new FixedBatchMultiSourceSampler({ sources, repeat: { a: 1.5, b: 0 }, batchSize: 1, random })).toThrow(InvalidArgumentError);
    // An empty source with repeat 0 is fine; a batch larger than the source repeats items across epochs.
    const sampler = new FixedBatchMultiSourceSampler({ sources, repeat: { a: 1, b: 0 }, batchSize: 3, random });
    expect(sampler.next()).toEqual({ source: 'a', items: ['x', 'x', 'x'], indices: [0, 0, 0] });
  });
});
