import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const packageJson = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: { index: 'src/index.ts', 'test/index': 'src/test/index.ts', 'test/conformance': 'src/test/conformance.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['vitest', /^@tensorflow\//, '@reca/runtime'],
  define: { __PACKAGE_VERSION__: JSON.stringify(packageJson.version) },
});
