import { packageVitestConfig } from '../../tools/build/vitest-package.js';

export default packageVitestConfig({ include: ['test/**/*.test.ts'], testTimeout: 300_000 });
