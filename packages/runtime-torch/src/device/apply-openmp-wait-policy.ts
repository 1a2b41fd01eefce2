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

/**
 * libgomp spin iterations per microsecond, measured on this project's machine (GOMP_SPINCOUNT 3000: a linear kernel
 * pays the pool's wake-up after a pause of 30 µs, not after 20 µs). A pause instruction's latency differs between
 * CPUs, so this is approximate elsewhere.
 */
const spinsPerMicrosecond = 120;

/** libgomp's spin count when neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set. */
const libgompDefaultSpinCount = 300_000;

/**
 * About how long idle OpenMP threads stay awake after a parallel region under `policy` (what
 * {@link applyOpenMpWaitPolicy} returned): 0 for `'passive'` (or `'false'`), Infinity for `'active'` (or `'true'`),
 * the spin count's duration for `'spin N'` and for libgomp's default (undefined).
 */
export function openMpAwakeMicroseconds(policy: string | undefined): number {
  if (policy === undefined) return libgompDefaultSpinCount / spinsPerMicrosecond;
  const normalized = policy.trim().toLowerCase();
  if (normalized === 'passive' || normalized === 'false') return 0;
  if (normalized === 'active' || normalized === 'true') return Number.POSITIVE_INFINITY;
  const spins = /^spin\s+(\d+)$/.exec(normalized)?.[1];
  if (spins !== undefined) return Number(spins) / spinsPerMicrosecond;
  return libgompDefaultSpinCount / spinsPerMicrosecond;
}
