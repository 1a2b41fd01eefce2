import { libraryTsupConfig } from '../../tools/build/tsup-library.js';

export default libraryTsupConfig(import.meta.url, {
  entry: ['src/bin.ts'],
  dts: false,
  banner: { js: '#!/usr/bin/env node' },
});
