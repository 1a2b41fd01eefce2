import { shapeColors } from '../palette/shape-color.js';
import { relations } from '../prompts/relation.js';
import { shapeKinds } from '../scene/shape-kind.js';
import { numberWords } from './number-words.js';

/**
 * Every word ShapesWorld captions and prompts use, in a fixed order: function words, number words, colours, shapes
 * (singular then plural), the generic nouns, relation words and the two punctuation tokens of dense captions. Split
 * text with {@link splitShapesWorldWords} (the same rule as @reca/core's word-level tokenizer: lowercase, punctuation
 * as separate tokens) and every token is in this list.
 */
export const shapesWorldVocabulary: readonly string[] = [
  'a',
  'and',
  'the',
  'is',
  ...numberWords,
  ...shapeColors,
  ...shapeKinds,
  ...shapeKinds.map((shape) => `${shape}s`),
  'shape',
  'shapes',
  'object',
  'objects',
  ...new Set(relations.flatMap((relation) => relation.split(' '))),
  ',',
  '.',
];

const wordPattern = /[\p{L}\p{M}\p{N}_]+|[^\s\p{L}\p{M}\p{N}_]/gu;

/** Lowercases `text` and splits it into words and single punctuation characters. */
export function splitShapesWorldWords(text: string): string[] {
  return text.toLowerCase().match(wordPattern) ?? [];
}
