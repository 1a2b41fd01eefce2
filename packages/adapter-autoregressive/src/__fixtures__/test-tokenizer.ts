import { reconstructionInstructions, WordLevelTokenizer } from '@reca/core';

/** A word-level tokenizer knowing colour/shape prompts, the RecA instruction pool and the null prompt (test fixture). */
export function testTokenizer(): WordLevelTokenizer {
  const words = 'red green blue yellow magenta cyan square squares circle triangle a an one two three and left right of above below image generate .';
  return WordLevelTokenizer.fromTexts([words, ...reconstructionInstructions, 'Generate an image.']);
}
