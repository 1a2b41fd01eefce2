import type { PromptCategory } from '../prompts/prompt-category.js';

/** Scores of one GenEval category. Accuracies are `NaN` when the category had no images. */
export interface CategoryScore {
  /** Fraction of the category's images that pass their own prompt. */
  readonly accuracy: number;
  /**
   * Mean, over the category's images, of the fraction of the *other* prompt texts of the category the image passes
   * (`NaN` when the category has only one distinct text).
   */
  readonly mismatchedAccuracy: number;
  /** Distinct prompt records and images scored. */
  readonly prompts: number;
  readonly images: number;
}

/** The verdict on one image. */
export interface ImageResult {
  readonly promptId: string;
  /** k of `{id}_{k}.png`. */
  readonly index: number;
  readonly category: PromptCategory;
  readonly passed: boolean;
  /** Why it failed, one line per requirement (empty when passed). */
  readonly failures: readonly string[];
  readonly objectCount: number;
  /** Fraction of the other prompt texts of its category it passes (`NaN` when there are none). */
  readonly mismatchedPassRate: number;
}

/** Result of `evaluateImages`: mini-GenEval plus prompt specificity. */
export interface EvaluationSummary {
  readonly categories: Readonly<Record<PromptCategory, CategoryScore>>;
  /** Mean of the category accuracies (categories without images left out). */
  readonly overall: number;
  /** Mean of the category mismatched accuracies (categories without a value left out). */
  readonly mismatchedOverall: number;
  /** overall − mismatchedOverall: how much passing depends on the prompt actually given. */
  readonly specificity: number;
  /** Mean number of detected objects per scored image. */
  readonly objectsPerImage: number;
  readonly imageCount: number;
  readonly results: readonly ImageResult[];
}

/** The JSON summary `reca eval` prints as its last line (DESIGN.md §5); a missing score is `null`. */
export interface EvaluationSummaryJson {
  readonly single_object: number | null;
  readonly two_object: number | null;
  readonly counting: number | null;
  readonly colors: number | null;
  readonly position: number | null;
  readonly color_attr: number | null;
  readonly overall: number | null;
  readonly mismatched_overall: number | null;
  readonly specificity: number | null;
  readonly objects_per_image: number | null;
}
