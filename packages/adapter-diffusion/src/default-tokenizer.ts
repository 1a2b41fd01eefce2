import { reconstructionInstructions, WordLevelTokenizer } from '@reca/core';

/** ShapesWorld's colours (DESIGN.md §3). */
const colours = ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan'];
/** ShapesWorld's shapes (DESIGN.md §3). */
const shapes = ['circle', 'square', 'triangle'];

/**
 * The tokenizer a model gets when none is given: a word-level vocabulary of the RecA instruction pool, the null prompt
 * and every word of ShapesWorld's captions and GenEval-style prompt templates (DESIGN.md §3).
 *
 * @param nullPrompt - the null prompt to include. @default 'Generate an image.'
 */
export function createDefaultTokenizer(nullPrompt = 'Generate an image.'): WordLevelTokenizer {
  const words = [
    ...colours,
    ...shapes.flatMap((shape) => [shape, `${shape}s`]),
    'a an one two three four and left right of above below the image generate objects object shape shapes',
  ];
  return WordLevelTokenizer.fromTexts([...words, ...reconstructionInstructions, nullPrompt]);
}
