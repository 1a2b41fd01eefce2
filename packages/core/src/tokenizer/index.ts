/** Text tokenizers: the `TextTokenizer` interface, a word-level tokenizer for built-in data, Hugging Face tokenizers. */
export type {
  OnUnknownWord,
  TextTokenizer,
  TextTokenizerDecodeOptions,
  TextTokenizerEncodeOptions,
} from './text-tokenizer.js';
export type { EncodeBatchOptions } from './encode-batch-options.js';
export type { TokenizedBatch } from './tokenized-batch.js';
export { encodeTextBatch } from './encode-text-batch.js';
export { tokenizedBatchToTensors } from './tokenized-batch-to-tensors.js';
export type { TokenizedBatchTensors } from './tokenized-batch-to-tensors.js';
export { splitWords } from './split-words.js';
export { WordLevelTokenizer, wordLevelSpecialTokens } from './word-level-tokenizer.js';
export type { WordLevelTokenizerConfig, WordLevelTokenizerFromTextsOptions } from './word-level-tokenizer.js';
export { wordLevelTokenizerJsonSchema } from './word-level-tokenizer-json.js';
export type { WordLevelTokenizerJson } from './word-level-tokenizer-json.js';
export { HuggingFaceTokenizer } from './hugging-face-tokenizer.js';
export type {
  HuggingFaceSpecialTokenNames,
  HuggingFaceTokenizerConfig,
  HuggingFaceTokenizerFiles,
  HuggingFaceTokenizerOptions,
} from './hugging-face-tokenizer.js';
