import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { causalMask } from './causal-mask.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('causalMask', () => {
  it('is lower triangular', () => {
    const mask = causalMask(3);
    expect(mask.dtype).toBe('bool');
    expect(mask.arraySync()).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [1, 1, 1],
    ]);
    mask.dispose();
  });

  it('aligns queries to the end of a longer key sequence (KV cache)', () => {
    const mask = causalMask(2, { keyLength: 4 });
    expect(mask.arraySync()).toEqual([
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
    mask.dispose();
    expect(() => causalMask(3, { keyLength: 2 })).toThrow(InvalidArgumentError);
    expect(() => causalMask(0)).toThrow(InvalidArgumentError);
  });
});
