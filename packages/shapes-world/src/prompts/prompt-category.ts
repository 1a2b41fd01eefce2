/** The six GenEval categories, with GenEval's tags (also the keys of the `reca eval` JSON summary). */
export const promptCategories = ['single_object', 'two_object', 'counting', 'colors', 'position', 'color_attr'] as const;

/** One of {@link promptCategories}. */
export type PromptCategory = (typeof promptCategories)[number];

/** True when `value` is one of {@link promptCategories}. */
export function isPromptCategory(value: string): value is PromptCategory {
  return (promptCategories as readonly string[]).includes(value);
}

/** Readable names for tables. */
export const promptCategoryTitles: Readonly<Record<PromptCategory, string>> = {
  single_object: 'single object',
  two_object: 'two objects',
  counting: 'counting',
  colors: 'colours',
  position: 'position',
  color_attr: 'colour attribution',
};
