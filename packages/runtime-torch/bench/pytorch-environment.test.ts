/**
 * The PyTorch twins' environment is the one from before the torch backend registered: the backend's OpenMP wait
 * (written into process.env on registration) must not leak into PyTorch unless asked for.
 */
import { afterEach, expect, it } from 'vitest';

const saved = { spin: process.env['GOMP_SPINCOUNT'], policy: process.env['OMP_WAIT_POLICY'] };

afterEach(() => {
  for (const [name, value] of [['GOMP_SPINCOUNT', saved.spin], ['OMP_WAIT_POLICY', saved.policy]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

it('keeps the environment from before registration, and gives the bounded wait only when asked', async () => {
  delete process.env['GOMP_SPINCOUNT'];
  delete process.env['OMP_WAIT_POLICY'];
  const { pytorchEnvironment, pytorchWaitNote } = await import('./pytorch-environment.js');
  const { registerTorchBackend } = await import('../src/register-torch-backend.js');
  // What registration does to this process's environment (also when the addon is missing, it sets the policy first).
  await registerTorchBackend({ device: 'cpu', warnOnFallback: false }).catch(() => undefined);
  process.env['GOMP_SPINCOUNT'] ??= '3000';
  const inherited = pytorchEnvironment();
  expect(inherited['GOMP_SPINCOUNT']).toBeUndefined();
  expect(pytorchWaitNote(inherited)).toBe("libgomp's default OpenMP wait");
  const bounded = pytorchEnvironment(true);
  expect(bounded['GOMP_SPINCOUNT']).toBe('3000');
  expect(pytorchWaitNote(bounded)).toBe('OpenMP spin 3000');
  expect(pytorchWaitNote({ OMP_WAIT_POLICY: 'PASSIVE' })).toBe('OpenMP wait passive');
  // Each call is a fresh copy: a caller's change does not reach the next twin.
  inherited['EXTRA'] = 'x';
  expect(pytorchEnvironment()['EXTRA']).toBeUndefined();
});
