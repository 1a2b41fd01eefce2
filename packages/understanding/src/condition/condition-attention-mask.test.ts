import { tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { conditionAttentionMask } from './condition-attention-mask.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('conditionAttentionMask', () => {
  it('lets queries read everything and keeps the context from reading queries', () => {
    const mask = conditionAttentionMask({ contextLength: 2, queryCount: 2, contextAttention: 'bidirectional' }) as tf.Tensor2D;
    expect(mask.arraySync()).toEqual([
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
    mask.dispose();
  });

  it('is causal inside the context when asked, and null for a bidirectional prefix', () => {
    const mask = conditionAttentionMask({ contextLength: 3, queryCount: 1, contextAttention: 'causal' }) as tf.Tensor2D;
    expect(mask.arraySync()).toEqual([
      [1, 0, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
    mask.dispose();
    expect(conditionAttentionMask({ contextLength: 3, queryCount: 0, contextAttention: 'bidirectional' })).toBeNull();
  });
});
