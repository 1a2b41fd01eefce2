import { PromptParseError } from '../errors/prompt-parse-error.js';
import { parseNumberWord } from '../captions/number-words.js';
import { shapesWorldVocabulary, splitShapesWorldWords } from '../captions/vocabulary.js';
import { isShapeColor, type ShapeColor } from '../palette/shape-color.js';
import { isShapeKind, type ShapeKind } from '../scene/shape-kind.js';
import type { ExcludeRequirement, ObjectRequirement, PromptRequirements } from './prompt-requirements.js';
import type { Relation } from './relation.js';

/** One noun phrase of a description: `a [colour] shape|noun` or `number [colour] shapes|nouns`. */
export interface DescriptionPhrase {
  readonly color?: ShapeColor;
  /** `undefined` for the generic nouns "shape(s)", "object(s)". */
  readonly shape?: ShapeKind;
  /** 1 for "a …"; the number for "two …" (an exact count). */
  readonly count: number;
  /** True when a number word was used: the count is exact, not "at least". */
  readonly exact: boolean;
}

/** A parsed description: one or two phrases and how they are joined. */
export interface ParsedDescription {
  readonly phrases: readonly DescriptionPhrase[];
  /** `and` for two phrases joined by "and", a relation for "X left of Y", `undefined` for one phrase. */
  readonly join?: 'and' | Relation;
}

const vocabulary = new Set(shapesWorldVocabulary);
const relationWords: ReadonlyArray<readonly [readonly string[], Relation]> = [
  [['left', 'of'], 'left of'],
  [['right', 'of'], 'right of'],
  [['above'], 'above'],
  [['below'], 'below'],
];

function parsePhrase(words: readonly string[], text: string): DescriptionPhrase {
  const [first, ...rest] = words;
  const fail = () => new PromptParseError({ text, reason: `has a phrase ${JSON.stringify(words.join(' '))} that is not "a [colour] shape" or "two|three|four [colour] shapes"` });
  let count: number;
  let exact: boolean;
  if (first === 'a') {
    count = 1;
    exact = false;
  } else {
    const value = first === undefined ? undefined : parseNumberWord(first);
    if (value === undefined) throw fail();
    count = value;
    exact = true;
  }
  let color: ShapeColor | undefined;
  let nounIndex = 0;
  if (rest[0] !== undefined && isShapeColor(rest[0])) {
    color = rest[0];
    nounIndex = 1;
  }
  if (rest.length !== nounIndex + 1) throw fail();
  const noun = rest[nounIndex] as string;
  const plural = count > 1;
  const singular = plural ? (noun.endsWith('s') ? noun.slice(0, -1) : undefined) : noun;
  if (singular === undefined) throw fail();
  if (isShapeKind(singular)) return { color, shape: singular, count, exact };
  if (singular === 'shape' || singular === 'object') return { color, count, exact };
  throw fail();
}

/**
 * Parses ShapesWorld language: a phrase (`a red circle`, `a circle`, `a red shape`, `two squares`, `three objects`,
 * `one object`), two phrases joined by `and`, or two phrases joined by a relation (`a red circle left of a blue
 * square`). Lowercase, whitespace and a trailing period are tolerated.
 *
 * @throws PromptParseError naming unknown words, or saying the text is not of this form.
 */
export function parseDescription(text: string): ParsedDescription {
  const words = splitShapesWorldWords(text);
  if (words.at(-1) === '.') words.pop();
  const unknown = [...new Set(words.filter((word) => !vocabulary.has(word)))];
  if (unknown.length > 0) throw new PromptParseError({ text, unknownWords: unknown });
  if (words.length === 0) throw new PromptParseError({ text, reason: 'is empty' });
  const andIndex = words.indexOf('and');
  if (andIndex >= 0) {
    return { phrases: [parsePhrase(words.slice(0, andIndex), text), parsePhrase(words.slice(andIndex + 1), text)], join: 'and' };
  }
  for (let index = 1; index < words.length; index++) {
    for (const [relationWordsList, relation] of relationWords) {
      if (relationWordsList.every((word, offset) => words[index + offset] === word)) {
        return {
          phrases: [parsePhrase(words.slice(0, index), text), parsePhrase(words.slice(index + relationWordsList.length), text)],
          join: relation,
        };
      }
    }
  }
  return { phrases: [parsePhrase(words, text)] };
}

/**
 * The requirements a parsed description states: each phrase an include (at least `count`); an exact count also
 * excludes `count + 1`; a relation puts `position: { relation, target: 1 }` on the first phrase. Two identical
 * phrases joined by "and" ("a circle and a circle") become one include with count 2.
 */
export function descriptionRequirements(description: ParsedDescription): PromptRequirements {
  const include: ObjectRequirement[] = [];
  const exclude: ExcludeRequirement[] = [];
  const { phrases, join } = description;
  const [first, second] = phrases;
  const same =
    join === 'and' && first && second && !first.exact && !second.exact && first.shape === second.shape && first.color === second.color;
  const merged = same ? [{ ...(first as DescriptionPhrase), count: 2 }] : phrases;
  merged.forEach((phrase, index) => {
    const requirement: ObjectRequirement = {
      ...(phrase.shape !== undefined ? { shape: phrase.shape } : {}),
      ...(phrase.color !== undefined ? { color: phrase.color } : {}),
      count: phrase.count,
      ...(index === 0 && join !== undefined && join !== 'and' ? { position: { relation: join, target: 1 } } : {}),
    };
    include.push(requirement);
    if (phrase.exact) {
      exclude.push({
        ...(phrase.shape !== undefined ? { shape: phrase.shape } : {}),
        ...(phrase.color !== undefined ? { color: phrase.color } : {}),
        count: phrase.count + 1,
      });
    }
  });
  return { include, exclude };
}
