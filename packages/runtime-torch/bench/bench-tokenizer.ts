import { reconstructionInstructions, WordLevelTokenizer } from '@reca/core';

/**
 * The autoregressive adapter's text tokenizer in the recaStep bench and its PyTorch twin's exporter: a word-level
 * vocabulary over the bench's captions and the RecA instructions.
 */
export const autoregressiveBenchTokenizer = WordLevelTokenizer.fromTexts([
  'a red blue green square circle triangle two image generate .',
  ...reconstructionInstructions,
  'Generate an image.',
]);
