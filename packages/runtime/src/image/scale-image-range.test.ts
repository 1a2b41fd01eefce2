import { tf } from '../tf.js';
import { describe, expect, it } from 'vitest';
import { scaleImageRange } from './scale-image-range.js';
import { standardizeImages } from './standardize-images.js';

describe('scaleImageRange', () => {
  it('maps [0, 1] to [-1, 1] and back', async () => {
    const images = tf.tensor1d([0, 0.25, 1]);
    const model = scaleImageRange(images, [0, 1], [-1, 1]);
    expect(Array.from(await model.data())).toEqual([-1, -0.5, 1]);
    const back = scaleImageRange(model, [-1, 1], [0, 1]);
    expect(Array.from(await back.data())).toEqual([0, 0.25, 1]);
    expect(() => scaleImageRange(images, [1, 0], [0, 1])).toThrow(/low < high/);
    tf.dispose([images, model, back]);
  });
});

describe('standardizeImages', () => {
  it('subtracts the mean and divides by the deviation per channel', async () => {
    const images = tf.tensor4d([0.5, 0.5, 0.5, 1, 0, 0.25], [1, 1, 2, 3]);
    const standardized = standardizeImages(images, [0.5, 0.25, 0], [0.5, 0.25, 0.25]);
    const values = Array.from(await standardized.data());
    [0, 1, 2, 1, -1, 1].forEach((expected, index) => expect(values[index]).toBeCloseTo(expected, 6));
    expect(() => standardizeImages(images, [0, 0, 0], [1, 0, 1])).toThrow(/positive/);
    tf.dispose([images, standardized]);
  });
});
