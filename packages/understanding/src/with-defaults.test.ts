import { describe, expect, it } from 'vitest';
import { withDefaults } from './with-defaults.js';

describe('withDefaults', () => {
  it('keeps a default where the value is undefined and takes every defined value', () => {
    const defaults = { depth: 2, width: 8 };
    expect(withDefaults(defaults, { depth: undefined, width: 16, extra: 'x' })).toEqual({ depth: 2, width: 16, extra: 'x' });
    expect(defaults).toEqual({ depth: 2, width: 8 });
  });
});
