import { reconstructionInstructions, WordLevelTokenizer } from '@reca/core';

/** Colours and shapes of ShapesWorld, for test captions and prompts. */
export const colours = ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan'] as const;
export const shapes = ['circle', 'square', 'triangle'] as const;

/** A word-level tokenizer that knows ShapesWorld captions, the instruction pool and the null prompt (test fixture). */
export function shapesTokenizer(): WordLevelTokenizer {
  const words = [
    ...colours,
    ...shapes.flatMap((shape) => [shape, `${shape}s`]),
    'a an one two three four and left right of above below the image generate objects .',
  ];
  return WordLevelTokenizer.fromTexts([...words, ...reconstructionInstructions, 'Generate an image.']);
}
