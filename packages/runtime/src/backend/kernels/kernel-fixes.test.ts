import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.js';
import { SeededRandom } from '../../random/seeded-random.js';
import { prepareBackend } from '../prepare-backend.js';
import { useBackend } from '../use-backend.js';
import { collapseConstantPad, collapseMirrorPad, collapseReverse, isolateDimension } from './collapse-dimensions.js';
import { kernelFixesByBackend, registerKernelFixes, unregisterKernelFixes } from './register-kernel-fixes.js';
import { unsortedSegmentSumValues } from './wasm-unsorted-segment-sum.js';

describe('collapse-dimensions', () => {
  it('collapses a constant pad: leading unpadded dims merge, padded dims absorb the unpadded dims after them', () => {
    expect(collapseConstantPad([2, 3, 4, 5, 6], [[0, 0], [0, 0], [1, 2], [0, 0], [0, 0]])).toEqual({
      shape: [6, 120],
      paddings: [[0, 0], [30, 60]],
    });
    expect(collapseConstantPad([2, 3, 4, 5, 6], [[1, 0], [0, 0], [0, 1], [0, 0], [2, 2]])).toEqual({
      shape: [6, 20, 6],
      paddings: [[3, 0], [0, 5], [2, 2]],
    });
  });

  it('collapses a mirror pad only across unpadded runs', () => {
    expect(collapseMirrorPad([2, 3, 4, 5, 6], [[0, 0], [0, 0], [1, 1], [0, 0], [0, 0]])).toEqual({
      shape: [6, 4, 30],
      paddings: [[0, 0], [1, 1], [0, 0]],
    });
  });

  it('collapses a reverse by merging adjacent reversed or kept dims', () => {
    expect(collapseReverse([2, 3, 4, 5, 6], [1, 2, -1])).toEqual({ shape: [2, 12, 5, 6], axes: [1, 3] });
    expect(isolateDimension([2, 3, 4, 5], 2)).toEqual([6, 4, 5]);
  });
});

describe('unsortedSegmentSumValues', () => {
  it('sums rows by segment and drops out-of-range ids', () => {
    const values = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // 4 rows of 2
    const ids = Int32Array.from([2, 0, 2, 5]);
    expect(Array.from(unsortedSegmentSumValues(values, ids, 3))).toEqual([3, 4, 0, 0, 6, 8]);
  });
});

describe('registerKernelFixes', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  it('is idempotent and reversible on wasm (gather gradient needs UnsortedSegmentSum)', async () => {
    await useBackend('wasm');
    const first = registerKernelFixes('wasm');
    const kernel = tf.getKernel('UnsortedSegmentSum', 'wasm');
    expect(registerKernelFixes('wasm')).toEqual(first);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBe(kernel);
    expect(first).toEqual(kernelFixesByBackend.wasm.map((fix) => fix.id));

    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const gatherGradient = () => tf.grad((input: tf.Tensor) => tf.sum(tf.gather(input, [2, 0, 2])))(table);
    expect(Array.from(await gatherGradient().data())).toEqual([1, 1, 0, 0, 2, 2]);
    unregisterKernelFixes('wasm');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    expect(gatherGradient).toThrow(/UnsortedSegmentSum/);
    registerKernelFixes('wasm');
    table.dispose();
  });

  it('fixes webgpu PadV2 at rank 5 (stock shader output is wrong), when an adapter exists', async (context) => {
    const preparation = await prepareBackend('webgpu', { allowSoftwareAdapter: true });
    if (!preparation.available) {
      context.skip();
      return;
    }
    const values = new SeededRandom('pad5').normalArray(2 * 3 * 2 * 2 * 2);
    const paddings: Array<[number, number]> = [[0, 0], [1, 0], [0, 1], [0, 0], [1, 1]];
    const padOnActiveBackend = async (): Promise<number[]> => {
      const padded = tf.tidy(() => tf.pad(tf.tensor(values, [2, 3, 2, 2, 2]), paddings, 0.25));
      const result = Array.from(await padded.data());
      padded.dispose();
      return result;
    };
    await useBackend('cpu');
    const reference = await padOnActiveBackend();
    await useBackend('webgpu', { allowSoftwareAdapter: true });
    // Stock kernel first (before any correct result could sit in a recycled GPU buffer): Dawn rejects the shader and
    // the command buffer silently, so the output is whatever the buffer held.
    unregisterKernelFixes('webgpu');
    try {
      expect(await padOnActiveBackend()).not.toEqual(reference);
    } finally {
      registerKernelFixes('webgpu');
    }
    expect(await padOnActiveBackend()).toEqual(reference);
  });
});
