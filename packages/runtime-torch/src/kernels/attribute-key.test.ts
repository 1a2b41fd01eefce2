/** The attribute key tells apart every two attribute sets the addon would copy differently. */
import { describe, expect, it } from 'vitest';
import { attributeKey, maximumAttributeKeyLength } from './attribute-key.js';

describe('attributeKey', () => {
  it('is equal for equal values and differs for any difference the addon sees', () => {
    const sets: object[] = [
      {},
      { axis: [1], keepDims: false },
      { axis: [1], keepDims: true },
      { axis: [1, 0], keepDims: false },
      { axis: 1, keepDims: false },
      { axis: [-0], keepDims: false },
      { axis: [0], keepDims: false },
      { value: NaN },
      { value: Infinity },
      { value: -Infinity },
      { value: null },
      { value: 0.1 },
      { value: 0.30000000000000004 },
      { value: 'a,b' },
      { value: 'a', other: 'b' },
      { 'value=s1:a;': 'b' },
      { paddings: [[0, 1], [2, 3]] },
      { paddings: [[0, 1, 2], [3]] },
      { paddings: [[0, 1], [2, 3]], constantValue: 0 },
      { list: [undefined, 1] },
      { list: [1] },
    ];
    const keys = sets.map((attrs) => attributeKey(attrs));
    expect(keys.every((key) => typeof key === 'string')).toBe(true);
    expect(new Set(keys).size).toBe(sets.length);
    expect(attributeKey({ axis: [1], keepDims: false })).toBe(keys[1]);
  });

  it('gives no key for values the addon does not copy, or for long attribute sets', () => {
    expect(attributeKey({ values: new Float32Array([1]) })).toBeUndefined();
    expect(attributeKey({ nested: [[[1]]] })).toBeUndefined();
    expect(attributeKey({ options: { a: 1 } })).toBeUndefined();
    expect(attributeKey({ stepSizes: Array.from({ length: maximumAttributeKeyLength }, (_, index) => index) })).toBeUndefined();
  });
});
