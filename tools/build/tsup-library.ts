/**
 * The tsup configuration every published @reca package builds with (ESM + .d.ts + source maps for Node 20, the
 * package version injected as `__PACKAGE_VERSION__`, workspace packages, tfjs and native-module packages external).
 * A package's `tsup.config.ts` is one call: `export default libraryTsupConfig(import.meta.url)`, with overrides for
 * extra entry points or a bin.
 */
import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

export function libraryTsupConfig(configUrl: string, overrides: Options = {}): ReturnType<typeof defineConfig> {
  const packageJson = JSON.parse(readFileSync(new URL('./package.json', configUrl), 'utf8')) as { version: string };
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    external: [/^@reca\//, /^@tensorflow\//, 'sharp', 'onnxruntime-node', 'vitest'],
    define: { __PACKAGE_VERSION__: JSON.stringify(packageJson.version) },
    ...overrides,
  });
}
