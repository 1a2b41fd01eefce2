/**
 * The vitest configuration every package tests with: tests beside the source (`src/**\/*.test.ts`, plus `test/`),
 * generous timeouts (CPU training tests on 2 cores), separate processes (tfjs backends hold global state).
 */
import { defineConfig, type ViteUserConfig } from 'vitest/config';

export function packageVitestConfig(overrides: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      ...overrides,
    },
  });
}
