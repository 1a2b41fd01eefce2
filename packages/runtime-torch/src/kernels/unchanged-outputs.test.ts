import { describe, expect, it } from 'vitest';
import { isIdentityPermutation, reshapesToItself, unchangedOutputTests } from './unchanged-outputs.js';

describe('unchanged kernel outputs', () => {
  it('recognises a Reshape to the shape the tensor has, with or without one inferred dimension', () => {
    expect(reshapesToItself([2, 3], [2, 3])).toBe(true);
    expect(reshapesToItself([2, 3], [-1, 3])).toBe(true);
    expect(reshapesToItself([2, 3], [2, -1])).toBe(true);
    expect(reshapesToItself([], [])).toBe(true);
    expect(reshapesToItself([0, 3], [0, 3])).toBe(true);
    expect(reshapesToItself([0, 3], [-1, 3])).toBe(true);
  });

  it('leaves every other Reshape to the native kernel: new shapes, two -1, undetermined -1, bad attributes', () => {
    expect(reshapesToItself([2, 3], [3, 2])).toBe(false);
    expect(reshapesToItself([2, 3], [6])).toBe(false);
    expect(reshapesToItself([6], [6, 1])).toBe(false);
    expect(reshapesToItself([2, 3], [-1, -1])).toBe(false);
    expect(reshapesToItself([2, 0], [-1, 0])).toBe(false); // -1 is undetermined when another dimension is 0
    expect(reshapesToItself([2, 3], [2, 4])).toBe(false); // a size mismatch: the native kernel reports it
    expect(reshapesToItself([2, 3], undefined)).toBe(false);
    expect(reshapesToItself([2, 3], [2, '3'])).toBe(false);
    expect(reshapesToItself([2, 3], new Int32Array([2, 3]))).toBe(false);
  });

  it('recognises a Cast to the dtype the tensor has', () => {
    const x = { dataId: {}, shape: [2], dtype: 'float32' as const };
    expect(unchangedOutputTests['Cast']?.(x, { dtype: 'float32' })).toBe(true);
    expect(unchangedOutputTests['Cast']?.(x, { dtype: 'int32' })).toBe(false);
    expect(unchangedOutputTests['Reshape']?.(x, { shape: [2] })).toBe(true);
    expect(unchangedOutputTests['Transpose']?.(x, { perm: [0] })).toBe(true);
    expect(unchangedOutputTests['Slice']).toBeUndefined();
  });

  it('recognises a Transpose by the identity permutation only', () => {
    expect(isIdentityPermutation([0, 1, 2], 3)).toBe(true);
    expect(isIdentityPermutation([], 0)).toBe(true);
    expect(isIdentityPermutation([0, 2, 1], 3)).toBe(false);
    expect(isIdentityPermutation([0, 1], 3)).toBe(false);
    expect(isIdentityPermutation(undefined, 2)).toBe(false);
  });
});
