import { InvalidArgumentError, SeededRandom } from '@reca/runtime';
import { numberWord } from '../captions/number-words.js';
import { allCombinations, type ColorShapeCombination, isHeldoutCombination } from '../heldout/heldout-combinations.js';
import { shapeKinds } from '../scene/shape-kind.js';
import { type PromptCategory, promptCategories } from './prompt-category.js';
import type { PromptRecord } from './prompt-record.js';
import type { PromptSplit } from './prompt-split.js';
import { parsePrompt } from './parse-prompt.js';
import { relations } from './relation.js';

/** Options of {@link generatePrompts}. */
export interface GeneratePromptsOptions {
  /** @default 'train' */
  split?: PromptSplit;
  /** Prompts per category. @default 20 */
  perCategory?: number;
  /** @default 0 */
  seed?: number | string;
}

const isHeldout = (combination: ColorShapeCombination) => isHeldoutCombination(combination.color, combination.shape);
const phrase = (combination: ColorShapeCombination) => `a ${combination.color} ${combination.shape}`;

/** Every distinct prompt text of a category in a split, in a fixed order. */
export function promptTextsOf(category: PromptCategory, split: PromptSplit): string[] {
  const colorBoundAllowed = (combinations: readonly ColorShapeCombination[]) =>
    split === 'train' ? combinations.every((combination) => !isHeldout(combination)) : combinations.some(isHeldout);
  const pairs = allCombinations.flatMap((first) => allCombinations.map((second) => [first, second] as const));
  switch (category) {
    case 'single_object':
      return shapeKinds.map((shape) => `a ${shape}`);
    case 'two_object':
      return shapeKinds.flatMap((first) => shapeKinds.filter((second) => second !== first).map((second) => `a ${first} and a ${second}`));
    case 'counting':
      return [2, 3, 4].flatMap((count) => shapeKinds.map((shape) => `${numberWord(count)} ${shape}s`));
    case 'colors':
      return allCombinations.filter((combination) => colorBoundAllowed([combination])).map(phrase);
    case 'position':
      return pairs
        .filter(([first, second]) => (first.color !== second.color || first.shape !== second.shape) && colorBoundAllowed([first, second]))
        .flatMap(([first, second]) => relations.map((relation) => `${phrase(first)} ${relation} ${phrase(second)}`));
    case 'color_attr':
      return pairs
        .filter(([first, second]) => first.color !== second.color && first.shape !== second.shape && colorBoundAllowed([first, second]))
        .map(([first, second]) => `${phrase(first)} and ${phrase(second)}`);
  }
}

/**
 * GenEval-style prompts for ShapesWorld: `perCategory` prompts in each of the six categories, in category order, with
 * ids `{category}-{index}` (index zero-padded to 3 digits) and the structured requirements from `parsePrompt`.
 *
 * Prompts are drawn without repetition from a seeded shuffle of all texts of the category; a category with fewer
 * distinct texts than `perCategory` (single_object has 3, two_object 6, counting 9, held-out colors 6) cycles
 * through fresh shuffles, so texts repeat as evenly as possible.
 */
export function generatePrompts(options: GeneratePromptsOptions = {}): PromptRecord[] {
  const { split = 'train', perCategory = 20, seed = 0 } = options;
  if (split !== 'train' && split !== 'heldout') {
    throw new InvalidArgumentError({ argument: 'split', message: `must be 'train' or 'heldout', got ${String(split)}` });
  }
  if (!Number.isInteger(perCategory) || perCategory < 1) {
    throw new InvalidArgumentError({ argument: 'perCategory', message: `must be a positive integer, got ${perCategory}` });
  }
  const random = new SeededRandom(seed).fork(`prompts-${split}`);
  const records: PromptRecord[] = [];
  for (const category of promptCategories) {
    const texts = promptTextsOf(category, split);
    const categoryRandom = random.fork(category);
    const chosen: string[] = [];
    while (chosen.length < perCategory) {
      for (const index of categoryRandom.permutation(texts.length)) {
        if (chosen.length === perCategory) break;
        chosen.push(texts[index] as string);
      }
    }
    chosen.forEach((prompt, index) => {
      const parsed = parsePrompt(prompt);
      records.push({
        id: `${category}-${String(index).padStart(3, '0')}`,
        prompt,
        category,
        include: parsed.include,
        exclude: parsed.exclude,
      });
    });
  }
  return records;
}
