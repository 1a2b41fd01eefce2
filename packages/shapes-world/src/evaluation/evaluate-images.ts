import type { RgbImage } from '@reca/data';
import { InvalidArgumentError } from '@reca/runtime';
import { checkRequirements } from '../prompts/check-requirements.js';
import { type PromptCategory, promptCategories } from '../prompts/prompt-category.js';
import type { PromptRecord } from '../prompts/prompt-record.js';
import type { PromptRequirements } from '../prompts/prompt-requirements.js';
import { detectObjects } from './detect-objects.js';
import type { DetectorOptions } from './detector-options.js';
import type { CategoryScore, EvaluationSummary, ImageResult } from './evaluation-summary.js';
import { meanOfFinite } from './mean.js';

/** The distinct prompt texts of each category with their requirements (first record of each text wins). */
function distinctPromptsByCategory(prompts: readonly PromptRecord[]): Map<PromptCategory, Map<string, PromptRequirements>> {
  const byCategory = new Map<PromptCategory, Map<string, PromptRequirements>>();
  for (const prompt of prompts) {
    let texts = byCategory.get(prompt.category);
    if (!texts) byCategory.set(prompt.category, (texts = new Map()));
    if (!texts.has(prompt.prompt)) texts.set(prompt.prompt, prompt);
  }
  return byCategory;
}

/**
 * Mini-GenEval on ShapesWorld with prompt specificity.
 *
 * Every image is detected once (`detectObjects`) and checked against its own prompt (GenEval's rules,
 * `checkRequirements`) and against every *other* distinct prompt text of its category (mismatched prompts). Category
 * accuracy is the fraction of its images that pass; overall is the mean of the category accuracies (GenEval's
 * overall); mismatched accuracy is computed the same way from each image's pass rate on the other prompts;
 * specificity = overall − mismatched overall. A model that draws the same thing whatever the prompt scores
 * mismatched ≈ matched and specificity ≈ 0.
 *
 * @param prompts - the prompt records (ids unique).
 * @param imagesByPrompt - images for each prompt id, in k order (several per prompt); prompts without images are skipped.
 */
export function evaluateImages(
  prompts: readonly PromptRecord[],
  imagesByPrompt: ReadonlyMap<string, readonly RgbImage[]>,
  detectorOptions: DetectorOptions = {},
): EvaluationSummary {
  const ids = new Set<string>();
  for (const prompt of prompts) {
    if (ids.has(prompt.id)) throw new InvalidArgumentError({ argument: 'prompts', message: `prompt id ${JSON.stringify(prompt.id)} appears twice` });
    ids.add(prompt.id);
  }
  const distinct = distinctPromptsByCategory(prompts);
  const results: ImageResult[] = [];
  let objectTotal = 0;
  for (const prompt of prompts) {
    const images = imagesByPrompt.get(prompt.id) ?? [];
    const others = [...(distinct.get(prompt.category) ?? new Map<string, PromptRequirements>()).entries()]
      .filter(([text]) => text !== prompt.prompt)
      .map(([, requirements]) => requirements);
    images.forEach((image, index) => {
      const objects = detectObjects(image, detectorOptions);
      objectTotal += objects.length;
      const own = checkRequirements(objects, prompt);
      const mismatchedPassRate =
        others.length === 0 ? Number.NaN : others.filter((requirements) => checkRequirements(objects, requirements).passed).length / others.length;
      results.push({
        promptId: prompt.id,
        index,
        category: prompt.category,
        passed: own.passed,
        failures: own.failures,
        objectCount: objects.length,
        mismatchedPassRate,
      });
    });
  }
  const categories = {} as Record<PromptCategory, CategoryScore>;
  for (const category of promptCategories) {
    const categoryResults = results.filter((result) => result.category === category);
    categories[category] = {
      accuracy: categoryResults.length === 0 ? Number.NaN : categoryResults.filter((result) => result.passed).length / categoryResults.length,
      mismatchedAccuracy: meanOfFinite(categoryResults.map((result) => result.mismatchedPassRate)),
      prompts: prompts.filter((prompt) => prompt.category === category).length,
      images: categoryResults.length,
    };
  }
  const overall = meanOfFinite(promptCategories.map((category) => categories[category].accuracy));
  const mismatchedOverall = meanOfFinite(promptCategories.map((category) => categories[category].mismatchedAccuracy));
  return {
    categories,
    overall,
    mismatchedOverall,
    specificity: overall - mismatchedOverall,
    objectsPerImage: results.length === 0 ? Number.NaN : objectTotal / results.length,
    imageCount: results.length,
    results,
  };
}
