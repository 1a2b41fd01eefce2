import { PromptParseError } from '../errors/prompt-parse-error.js';
import type { PromptCategory } from './prompt-category.js';
import type { PromptRequirements } from './prompt-requirements.js';
import { type DescriptionPhrase, descriptionRequirements, parseDescription } from './parse-description.js';

/** The six prompt templates of DESIGN.md §3, for error messages and docs. */
export const promptTemplates: readonly string[] = [
  'a {shape}',
  'a {colour} {shape}',
  '{two|three|four} {shape}s',
  'a {shape} and a {shape}',
  'a {colour} {shape} and a {colour} {shape}',
  'a {colour} {shape} {left of|right of|above|below} a {colour} {shape}',
];

/** A prompt's category and requirements. */
export interface ParsedPrompt extends PromptRequirements {
  readonly category: PromptCategory;
}

const isPlain = (phrase: DescriptionPhrase) => !phrase.exact && phrase.shape !== undefined && phrase.color === undefined;
const isColored = (phrase: DescriptionPhrase) => !phrase.exact && phrase.shape !== undefined && phrase.color !== undefined;

/**
 * Parses a prompt that follows one of the six templates ({@link promptTemplates}) into its GenEval category and
 * structured requirements:
 * - `a {shape}` → single_object: ≥ 1 of the shape.
 * - `a {colour} {shape}` → colors: ≥ 1 of the shape in that colour.
 * - `{n} {shape}s` (n = 2–4) → counting: ≥ n and < n + 1 of the shape (any colour).
 * - `a {shape} and a {shape}` → two_object: ≥ 1 of each.
 * - `a {colour} {shape} and a {colour} {shape}` → color_attr: ≥ 1 of each colour–shape pair.
 * - `a {c} {s} {relation} a {c} {s}` → position: ≥ 1 of each, and every first object is in the relation to every second one.
 *
 * @throws PromptParseError naming unknown words, or listing the templates when the words are known but the sentence is not one.
 */
export function parsePrompt(text: string): ParsedPrompt {
  const description = parseDescription(text);
  const { phrases, join } = description;
  const [first, second] = phrases as [DescriptionPhrase, DescriptionPhrase | undefined];
  let category: PromptCategory | undefined;
  if (second === undefined) {
    if (isPlain(first)) category = 'single_object';
    else if (isColored(first)) category = 'colors';
    else if (first.exact && first.shape !== undefined && first.color === undefined && first.count >= 2) category = 'counting';
  } else if (join === 'and') {
    if (isPlain(first) && isPlain(second)) category = 'two_object';
    else if (isColored(first) && isColored(second)) category = 'color_attr';
  } else if (isColored(first) && isColored(second)) {
    category = 'position';
  }
  if (category === undefined) {
    throw new PromptParseError({ text, reason: `does not follow a ShapesWorld prompt template (${promptTemplates.join(' · ')})` });
  }
  return { category, ...descriptionRequirements(description) };
}
