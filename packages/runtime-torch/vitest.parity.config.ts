import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Runs @reca/runtime's backend parity suite (packages/runtime/src/backend/parity) against the `torch` backend.
 * `@reca/runtime` loads `@reca/runtime-torch` with a dynamic import that does not resolve from the runtime package
 * (it has no dependency on this one), so the alias points it at this package's source.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../runtime', import.meta.url)),
  resolve: {
    alias: { '@reca/runtime-torch': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['src/backend/parity/*.test.ts'],
    env: { RECA_TEST_BACKENDS: 'torch' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
