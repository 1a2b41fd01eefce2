import { libraryTsupConfig } from '../../tools/build/tsup-library.js';

export default libraryTsupConfig(import.meta.url);
