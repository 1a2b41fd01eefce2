import { packageVitestConfig } from '../../tools/build/vitest-package.js';

export default packageVitestConfig();
