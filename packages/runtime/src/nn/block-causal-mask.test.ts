import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { blockCausalMask } from './block-causal-mask.js';
import { causalMask } from './causal-mask.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('blockCausalMask', () => {
  it('is full within a block and causal across blocks', () => {
    const mask = blockCausalMask([2, 3, 1]);
    expect(mask.arraySync()).toEqual([
      [1, 1, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0],
      [1, 1, 1, 1, 1, 0],
      [1, 1, 1, 1, 1, 0],
      [1, 1, 1, 1, 1, 0],
      [1, 1, 1, 1, 1, 1],
    ]);
    mask.dispose();
  });

  it('reduces to causal for unit blocks and to full attention for one block', () => {
    const unit = blockCausalMask([1, 1, 1, 1]);
    const causal = causalMask(4);
    expect(unit.arraySync()).toEqual(causal.arraySync());
    const full = blockCausalMask([3]);
    expect(full.arraySync()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    tf.dispose([unit, causal, full]);
    expect(() => blockCausalMask([])).toThrow(InvalidArgumentError);
    expect(() => blockCausalMask([2, 0])).toThrow(InvalidArgumentError);
  });
});
