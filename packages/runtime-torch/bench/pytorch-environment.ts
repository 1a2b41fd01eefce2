/**
 * The environment the benchmarks give their PyTorch children. Registering the torch backend writes its OpenMP wait
 * policy into `process.env` (GOMP_SPINCOUNT 3000 by default, read by libgomp when the addon loads), and a child process
 * inherits it: a PyTorch run started after registration would wait like the torch backend, not like PyTorch by
 * default (libgomp's 300000-pause spin), and measured 30–45 % slower on tiny recaSteps here. So the environment is
 * captured when this module is first imported, before any registration, and every twin gets that copy.
 */
import { applyOpenMpWaitPolicy } from '../src/device/apply-openmp-wait-policy.js';

const environmentBeforeRegistration: Readonly<Record<string, string | undefined>> = { ...process.env };

/**
 * The environment for a PyTorch child process.
 * @param sameWaitAsTorchBackend - give PyTorch the torch backend's default OpenMP wait (`'bounded'`) instead of
 *   libgomp's own, so both sides wait alike (a setting the user chose in OMP_WAIT_POLICY / GOMP_SPINCOUNT still wins).
 * @returns a fresh copy of the environment this process had before the torch backend registered.
 */
export function pytorchEnvironment(sameWaitAsTorchBackend = false): Record<string, string | undefined> {
  const environment = { ...environmentBeforeRegistration };
  if (sameWaitAsTorchBackend) applyOpenMpWaitPolicy('bounded', environment);
  return environment;
}

/** How PyTorch's OpenMP threads wait in `environment`, for the benchmark's note: `'spin N'`, a policy, or libgomp's default. */
export function pytorchWaitNote(environment: Readonly<Record<string, string | undefined>>): string {
  // 'inherit' only reads the environment (on a copy): the policy in effect, 'spin N', or undefined for libgomp's own.
  const policy = applyOpenMpWaitPolicy('inherit', { ...environment });
  if (policy === undefined) return "libgomp's default OpenMP wait";
  return policy.startsWith('spin ') ? `OpenMP ${policy}` : `OpenMP wait ${policy}`;
}
