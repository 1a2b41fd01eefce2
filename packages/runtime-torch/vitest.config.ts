import { packageVitestConfig } from '../../tools/build/vitest-package.js';

// bench/: the benchmarks' own helpers (the PyTorch twins' environment) are tested beside them.
export default packageVitestConfig({ include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'] });
