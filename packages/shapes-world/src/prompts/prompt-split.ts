/**
 * Which prompts to generate.
 * - `train`: colour-bound prompts (colors, position, color_attr) use only combinations that training captions name.
 * - `heldout`: every colour-bound prompt names at least one held-out combination (`heldoutCombinations`).
 * single_object, two_object and counting bind no colour, so both splits draw them from the same templates.
 */
export type PromptSplit = 'train' | 'heldout';

/** Both splits, for validating flags. */
export const promptSplits: readonly PromptSplit[] = ['train', 'heldout'];
