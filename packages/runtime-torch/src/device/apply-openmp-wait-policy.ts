/**
 * Sets `OMP_WAIT_POLICY` for the libgomp that the addon loads (libgomp reads it once, when it is loaded), unless the
 * user already chose (`OMP_WAIT_POLICY` or `GOMP_SPINCOUNT` set) or `policy` is `'inherit'`.
 * @returns the policy in effect for a libgomp loaded after this call, or undefined when left to libgomp's default.
 */
export function applyOpenMpWaitPolicy(
  policy: 'passive' | 'active' | 'inherit',
  environment: Record<string, string | undefined> = process.env,
): string | undefined {
  const chosen = environment['OMP_WAIT_POLICY'];
  if (chosen !== undefined && chosen !== '') return chosen.toLowerCase();
  if (environment['GOMP_SPINCOUNT'] !== undefined || policy === 'inherit') return undefined;
  environment['OMP_WAIT_POLICY'] = policy.toUpperCase();
  return policy;
}
