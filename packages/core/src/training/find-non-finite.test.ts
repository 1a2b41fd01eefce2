import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf } from '@reca/runtime';
import { assertFiniteLosses, findNonFiniteGradients } from './find-non-finite.js';
import { NonFiniteLossError } from '../errors/non-finite-loss-error.js';
import { NonFiniteGradientError } from '../errors/non-finite-gradient-error.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('findNonFiniteGradients', () => {
  it('names the gradients holding NaN or ±Infinity, with one read and no leak', async () => {
    const gradients = {
      finite: tf.tensor([[1, -2], [3e38, -3e38]]),
      withNaN: tf.tensor([0, Number.NaN, 1]),
      withInfinity: tf.tensor([Number.POSITIVE_INFINITY]),
      scalarNegativeInfinity: tf.scalar(Number.NEGATIVE_INFINITY),
      alsoFinite: tf.zeros([2, 3, 4]),
    };
    const backend = tf.backend();
    const read = vi.spyOn(backend, 'read');
    const before = tf.memory().numTensors;
    expect(await findNonFiniteGradients(gradients)).toEqual(['withNaN', 'withInfinity', 'scalarNegativeInfinity']);
    expect(tf.memory().numTensors).toBe(before);
    // data() goes through backend.read once (the cpu backend's read calls readSync internally)
    expect(read.mock.calls.length).toBe(1);
    expect(await findNonFiniteGradients({ finite: gradients.finite })).toEqual([]);
    expect(await findNonFiniteGradients({})).toEqual([]);
    tf.dispose(Object.values(gradients));
  });
});

describe('assertFiniteLosses and the non-finite errors', () => {
  it('throws NonFiniteLossError naming the step, the loss part and the value', () => {
    expect(() => assertFiniteLosses(3, { reconstruction: 0.5, imageToText: 1 })).not.toThrow();
    let caught: unknown;
    try {
      assertFiniteLosses(12, { imageToText: 0.7, reconstruction: Number.NaN });
    } catch (error) {
      caught = error;
    }
    expect(NonFiniteLossError.isInstance(caught)).toBe(true);
    const error = caught as NonFiniteLossError;
    expect(error.name).toBe('RECA_NonFiniteLossError');
    expect(error.step).toBe(12);
    expect(error.lossPart).toBe('reconstruction');
    expect(Number.isNaN(error.value)).toBe(true);
    expect(error.message).toBe("loss part 'reconstruction' is NaN at step 12");
  });

  it('NonFiniteGradientError carries the step and all names, and lists them in its message', () => {
    const names = Array.from({ length: 10 }, (_, index) => `layer${index}.weight`);
    const error = new NonFiniteGradientError({ step: 7, parameterNames: names });
    expect(NonFiniteGradientError.isInstance(error)).toBe(true);
    expect(NonFiniteLossError.isInstance(error)).toBe(false);
    expect(error.name).toBe('RECA_NonFiniteGradientError');
    expect(error.step).toBe(7);
    expect(error.parameterNames).toEqual(names);
    expect(error.message).toContain('step 7');
    expect(error.message).toContain("'layer0.weight'");
    expect(error.message).toContain('and 2 more');
  });
});
