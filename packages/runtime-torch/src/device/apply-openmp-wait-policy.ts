/** What idle OpenMP threads do between parallel regions; see `TorchBackendOptions.openMpWaitPolicy`. */
export type OpenMpWaitPolicy = 'bounded' | 'passive' | 'active' | 'inherit';

/**
 * Spin count of the `'bounded'` policy (libgomp's GOMP_SPINCOUNT, in pause instructions: a few tens of
 * microseconds here): long enough to cover the JavaScript between two kernels of a step, short enough that an idle
 * thread gives its core back quickly on a busy machine. libgomp's own default is 300000.
 */
export const boundedSpinCount = 3000;

/**
 * Sets the environment libgomp reads once, when the addon loads it: `OMP_WAIT_POLICY` (`'passive'`, `'active'`) or
 * `GOMP_SPINCOUNT` (`'bounded'`). Leaves it alone when the user already chose (`OMP_WAIT_POLICY` or `GOMP_SPINCOUNT`
 * set) or `policy` is `'inherit'`.
 * @returns the policy in effect for a libgomp loaded after this call (`'spin N'` for a spin count), or undefined when
 *   left to libgomp's default.
 */
export function applyOpenMpWaitPolicy(policy: OpenMpWaitPolicy, environment: Record<string, string | undefined> = process.env): string | undefined {
  const chosen = environment['OMP_WAIT_POLICY'];
  if (chosen !== undefined && chosen !== '') return chosen.toLowerCase();
  const spinCount = environment['GOMP_SPINCOUNT'];
  if (spinCount !== undefined && spinCount !== '') return `spin ${spinCount}`;
  if (policy === 'inherit') return undefined;
  if (policy === 'bounded') {
    environment['GOMP_SPINCOUNT'] = String(boundedSpinCount);
    return `spin ${boundedSpinCount}`;
  }
  environment['OMP_WAIT_POLICY'] = policy.toUpperCase();
  return policy;
}
