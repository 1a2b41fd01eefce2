import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { paddingMask } from './padding-mask.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('paddingMask', () => {
  it('marks real tokens on the right or left', () => {
    const right = paddingMask([2, 4, 0], 4);
    const left = paddingMask([2, 4, 0], 4, { side: 'left' });
    expect(right.arraySync()).toEqual([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
      [0, 0, 0, 0],
    ]);
    expect(left.arraySync()).toEqual([
      [0, 0, 1, 1],
      [1, 1, 1, 1],
      [0, 0, 0, 0],
    ]);
    tf.dispose([right, left]);
    expect(() => paddingMask([5], 4)).toThrow(InvalidArgumentError);
  });
});
