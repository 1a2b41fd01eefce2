import { describe, expect, it } from 'vitest';
import { applyOpenMpWaitPolicy } from './apply-openmp-wait-policy.js';

describe('applyOpenMpWaitPolicy', () => {
  it('sets OMP_WAIT_POLICY unless the user chose a policy or a spin count', () => {
    const empty: Record<string, string | undefined> = {};
    expect(applyOpenMpWaitPolicy('passive', empty)).toBe('passive');
    expect(empty['OMP_WAIT_POLICY']).toBe('PASSIVE');
    const chosen: Record<string, string | undefined> = { OMP_WAIT_POLICY: 'ACTIVE' };
    expect(applyOpenMpWaitPolicy('passive', chosen)).toBe('active');
    expect(chosen['OMP_WAIT_POLICY']).toBe('ACTIVE');
    const spinning: Record<string, string | undefined> = { GOMP_SPINCOUNT: '1000' };
    expect(applyOpenMpWaitPolicy('passive', spinning)).toBeUndefined();
    expect(spinning['OMP_WAIT_POLICY']).toBeUndefined();
    const inherited: Record<string, string | undefined> = {};
    expect(applyOpenMpWaitPolicy('inherit', inherited)).toBeUndefined();
    expect(inherited).toEqual({});
  });
});
