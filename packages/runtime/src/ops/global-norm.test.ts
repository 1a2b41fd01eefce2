import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { globalNorm } from './global-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('globalNorm', () => {
  it('is the L2 norm of all elements of all tensors', () => {
    const first = tf.tensor2d([[3, 0], [0, 0]]);
    const second = tf.tensor1d([4, 12]);
    const norm = globalNorm([first, second]);
    expect(norm.dataSync()[0]).toBeCloseTo(13, 5);
    const empty = globalNorm([]);
    expect(empty.dataSync()[0]).toBe(0);
    tf.dispose([first, second, norm, empty]);
  });
});
