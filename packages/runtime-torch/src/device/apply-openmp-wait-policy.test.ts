import { describe, expect, it } from 'vitest';
import { applyOpenMpWaitPolicy, openMpAwakeMicroseconds, boundedSpinCount } from './apply-openmp-wait-policy.js';

describe('applyOpenMpWaitPolicy', () => {
  it('sets OMP_WAIT_POLICY or GOMP_SPINCOUNT unless the user chose a policy or a spin count', () => {
    const empty: Record<string, string | undefined> = {};
    expect(applyOpenMpWaitPolicy('passive', empty)).toBe('passive');
    expect(empty['OMP_WAIT_POLICY']).toBe('PASSIVE');
    const bounded: Record<string, string | undefined> = {};
    expect(applyOpenMpWaitPolicy('bounded', bounded)).toBe(`spin ${boundedSpinCount}`);
    expect(bounded).toEqual({ GOMP_SPINCOUNT: String(boundedSpinCount) });
    const chosen: Record<string, string | undefined> = { OMP_WAIT_POLICY: 'ACTIVE' };
    expect(applyOpenMpWaitPolicy('bounded', chosen)).toBe('active');
    expect(chosen).toEqual({ OMP_WAIT_POLICY: 'ACTIVE' });
    const spinning: Record<string, string | undefined> = { GOMP_SPINCOUNT: '1000' };
    expect(applyOpenMpWaitPolicy('passive', spinning)).toBe('spin 1000');
    expect(spinning).toEqual({ GOMP_SPINCOUNT: '1000' });
    const inherited: Record<string, string | undefined> = {};
    expect(applyOpenMpWaitPolicy('inherit', inherited)).toBeUndefined();
    expect(inherited).toEqual({});
  });

  it('estimates how long idle threads stay awake under each policy', () => {
    expect(openMpAwakeMicroseconds('passive')).toBe(0);
    expect(openMpAwakeMicroseconds('active')).toBe(Number.POSITIVE_INFINITY);
    expect(openMpAwakeMicroseconds(`spin ${boundedSpinCount}`)).toBe(25);
    expect(openMpAwakeMicroseconds(undefined)).toBe(2500);
  });
});
