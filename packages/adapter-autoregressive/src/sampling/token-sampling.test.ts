import { InvalidArgumentError, SeededRandom } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { drawFromDistribution, samplingDistribution, sampleToken, validateTokenSamplingOptions } from './token-sampling.js';

const logits = [2, 1, 0.5, -1, 3];
const softmax = (values: number[]) => {
  const maximum = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - maximum));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
};

describe('token sampling', () => {
  it('is softmax(logits / temperature) without filtering', () => {
    const expected = softmax(logits.map((value) => value / 0.5));
    Array.from(samplingDistribution(logits, { temperature: 0.5 })).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 12));
  });

  it('keeps the top-k logits only', () => {
    const expected = softmax([2, 3]);
    const distribution = samplingDistribution(logits, { topK: 2 });
    expect(Array.from(distribution).map((value) => Number(value.toFixed(12)))).toEqual([expected[0], 0, 0, 0, expected[1]].map((value) => Number(value!.toFixed(12))));
  });

  it('keeps the smallest nucleus reaching top-p', () => {
    const full = softmax(logits); // order: 4 (0.574), 0 (0.211), 1 (0.078), 2 (0.047), 3 (0.010)
    const distribution = samplingDistribution(logits, { topP: 0.7 });
    const kept = full[4]! + full[0]!;
    expect(distribution[4]).toBeCloseTo(full[4]! / kept, 12);
    expect(distribution[0]).toBeCloseTo(full[0]! / kept, 12);
    expect(distribution[1]).toBe(0);
    expect(samplingDistribution(logits, { topP: 0.1 })[4]).toBe(1); // the most likely token is always kept
  });

  it('is greedy at temperature 0 and draws by inverse CDF', () => {
    expect(Array.from(samplingDistribution(logits, { temperature: 0 }))).toEqual([0, 0, 0, 0, 1]);
    const random = new SeededRandom(3);
    const probabilities = [0.2, 0.5, 0.3];
    const counts = [0, 0, 0];
    for (let draw = 0; draw < 5000; draw++) counts[drawFromDistribution(probabilities, random)]! += 1;
    counts.forEach((count, index) => expect(Math.abs(count / 5000 - probabilities[index]!)).toBeLessThan(0.025));
    // One uniform per call: the next draw equals a fresh stream advanced by one.
    const first = new SeededRandom(9);
    const second = new SeededRandom(9);
    sampleToken(logits, { topK: 3 }, first);
    second.uniform();
    expect(first.uniform()).toBe(second.uniform());
  });

  it('rejects bad options', () => {
    expect(() => validateTokenSamplingOptions({ temperature: -1 })).toThrow(InvalidArgumentError);
    expect(() => validateTokenSamplingOptions({ topK: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => validateTokenSamplingOptions({ topP: 0 })).toThrow(InvalidArgumentError);
  });
});
