import { libraryTsupConfig } from '../../tools/build/tsup-library.js';

export default libraryTsupConfig(import.meta.url, {
  entry: { index: 'src/index.ts', 'test/index': 'src/test/index.ts', 'test/conformance': 'src/test/conformance.ts' },
});
