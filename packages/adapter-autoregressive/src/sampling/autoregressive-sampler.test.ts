import { measureTensorLeak, tf, useBackend } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomCondition, tinyGenerator } from '../__fixtures__/tiny-generator.js';
import type { LlamaGenTransformer } from '../generator/llamagen-transformer.js';
import { sampleAutoregressive } from './autoregressive-sampler.js';
import { guidedLogits } from './guided-logits.js';

let transformer: LlamaGenTransformer;
beforeAll(async () => {
  await useBackend('cpu');
  transformer = tinyGenerator('next-token', 11);
});
afterAll(() => transformer.dispose());

describe('sampleAutoregressive', () => {
  it('KV-cache sampling equals uncached sampling for the same seed (plain, top-k/top-p, guided with padded conditions)', async () => {
    const condition = randomCondition(2, 3, 1, [1, 0]);
    const unconditional = randomCondition(2, 2, 2);
    for (const options of [
      { seed: 1 },
      { seed: 2, temperature: 0.7, topK: 5, topP: 0.9 },
      { seed: 3, guidanceScale: 3, unconditionalCondition: unconditional },
      { seed: 4, temperature: 0 },
    ]) {
      const cached = await sampleAutoregressive(transformer, { condition, ...options, useKeyValueCache: true });
      const uncached = await sampleAutoregressive(transformer, { condition, ...options, useKeyValueCache: false });
      expect(Array.from(cached), JSON.stringify({ ...options, unconditionalCondition: undefined })).toEqual(Array.from(uncached));
      expect(cached.every((token) => token >= 0 && token < 12)).toBe(true);
    }
    tf.dispose([condition.embeddings, condition.mask, unconditional.embeddings, unconditional.mask]);
  });

  it('is reproducible for a seed, varies with the seed, and leaks no tensors', async () => {
    const condition = randomCondition(3, 2, 3);
    const { result: first, leaked } = await measureTensorLeak(() => sampleAutoregressive(transformer, { condition, seed: 5, temperature: 2 }));
    expect(leaked).toBe(0);
    const again = await sampleAutoregressive(transformer, { condition, seed: 5, temperature: 2 });
    const other = await sampleAutoregressive(transformer, { condition, seed: 6, temperature: 2 });
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(other)).not.toEqual(Array.from(first));
    tf.dispose([condition.embeddings, condition.mask]);
  });

  it('greedy decoding picks the argmax of the guided logits at every step', async () => {
    const condition = randomCondition(1, 2, 4);
    const unconditional = randomCondition(1, 2, 5);
    const tokens = await sampleAutoregressive(transformer, { condition, unconditionalCondition: unconditional, guidanceScale: 2, temperature: 0, seed: 0 });
    // Re-derive every token from teacher-forced logits of both conditions: uncond + 2·(cond − uncond).
    const ids = tf.tensor2d(Array.from(tokens), [1, 9], 'int32');
    const guided = tf.tidy(() => guidedLogits(tf.concat([transformer.imageLogits(condition, ids), transformer.imageLogits(unconditional, ids)], 0), 2));
    const expected = Array.from(await tf.argMax(guided, -1).data());
    expect(Array.from(tokens)).toEqual(expected);
    tf.dispose([ids, guided, condition.embeddings, condition.mask, unconditional.embeddings, unconditional.mask]);
  });

  it('guidedLogits computes uncond + s·(cond − uncond)', async () => {
    const logits = tf.tensor2d([[1, 2], [3, 5]]);
    const guided = guidedLogits(logits, 1.5);
    expect(Array.from(await guided.data())).toEqual([0, 0.5]);
    tf.dispose([logits, guided]);
  });
});
