import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const packageJson = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: [/^@reca\//, /^@tensorflow\//, 'sharp', 'onnxruntime-node'],
  define: { __PACKAGE_VERSION__: JSON.stringify(packageJson.version) },
});
