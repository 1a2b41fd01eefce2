import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { attentionBias, BLOCKED_ATTENTION_SCORE } from './attention-bias.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('attentionBias', () => {
  it('is null without masks and ANDs causal, explicit and key-padding masks', () => {
    expect(attentionBias(2, 2, 3, {})).toBeNull();
    const mask = tf.tensor2d([[1, 1, 0], [0, 1, 1]], [2, 3], 'bool');
    const padding = tf.tensor2d([[1, 1, 1], [1, 0, 1]]);
    const bias = attentionBias(2, 2, 3, { mask, causal: true, keyPaddingMask: padding })!;
    expect(bias.shape).toEqual([2, 1, 2, 3]);
    const blocked = BLOCKED_ATTENTION_SCORE;
    // causal with 3 keys and 2 queries: query 0 sees keys 0–1, query 1 sees 0–2.
    expect(bias.arraySync()).toEqual([
      [[[0, 0, blocked], [blocked, 0, 0]]],
      [[[0, blocked, blocked], [blocked, blocked, 0]]],
    ]);
    const wrong = tf.ones([3, 3]);
    expect(() => attentionBias(2, 2, 3, { mask: wrong })).toThrow(ShapeMismatchError);
    const wrongPadding = tf.ones([2, 4]);
    expect(() => attentionBias(2, 2, 3, { keyPaddingMask: wrongPadding })).toThrow(ShapeMismatchError);
    tf.dispose([mask, padding, bias, wrong, wrongPadding]);
  });
});
