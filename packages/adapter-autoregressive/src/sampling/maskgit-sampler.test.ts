import { InvalidArgumentError, measureTensorLeak, tf, useBackend } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomCondition, tinyGenerator } from '../__fixtures__/tiny-generator.js';
import type { LlamaGenTransformer } from '../generator/llamagen-transformer.js';
import { sampleMaskGit } from './maskgit-sampler.js';

let transformer: LlamaGenTransformer;
beforeAll(async () => {
  await useBackend('cpu');
  transformer = tinyGenerator('masked', 12);
});
afterAll(() => transformer.dispose());

describe('sampleMaskGit', () => {
  it('reveals every token, reproducibly per seed, with and without guidance, leaking nothing', async () => {
    const condition = randomCondition(2, 2, 1);
    const unconditional = randomCondition(2, 3, 2);
    for (const steps of [1, 4, 12]) {
      const { result: tokens, leaked } = await measureTensorLeak(() => sampleMaskGit(transformer, { condition, unconditionalCondition: unconditional, guidanceScale: 2, steps, seed: 3 }));
      expect(leaked).toBe(0);
      expect(tokens.every((token) => token >= 0 && token < 12)).toBe(true);
      const again = await sampleMaskGit(transformer, { condition, unconditionalCondition: unconditional, guidanceScale: 2, steps, seed: 3 });
      expect(Array.from(again)).toEqual(Array.from(tokens));
    }
    const plain = await sampleMaskGit(transformer, { condition, steps: 4, seed: 3, temperature: 3 });
    const other = await sampleMaskGit(transformer, { condition, steps: 4, seed: 4, temperature: 3 });
    expect(Array.from(plain)).not.toEqual(Array.from(other));
    tf.dispose([condition.embeddings, condition.mask, unconditional.embeddings, unconditional.mask]);
  });

  it('with one greedy step predicts every position from an all-[MASK] input', async () => {
    const condition = randomCondition(1, 2, 5);
    const tokens = await sampleMaskGit(transformer, { condition, steps: 1, seed: 0, temperature: 0 });
    const logits = transformer.imageLogits(condition, tf.fill([1, 9], transformer.maskTokenId, 'int32') as tf.Tensor2D);
    expect(Array.from(tokens)).toEqual(Array.from(await tf.argMax(logits, -1).data()));
    tf.dispose([logits, condition.embeddings, condition.mask]);
  });

  it('rejects a next-token generator and a missing unconditional condition', async () => {
    const condition = randomCondition(1, 2, 6);
    const nextToken = tinyGenerator('next-token', 1);
    await expect(sampleMaskGit(nextToken, { condition, seed: 0 })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    await expect(sampleMaskGit(transformer, { condition, seed: 0, guidanceScale: 2 })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    nextToken.dispose();
    tf.dispose([condition.embeddings, condition.mask]);
  });
});
