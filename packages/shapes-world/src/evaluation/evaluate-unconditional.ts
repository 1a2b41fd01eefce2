import type { RgbImage } from '@reca/data';
import { checkRequirements } from '../prompts/check-requirements.js';
import { type PromptCategory, promptCategories } from '../prompts/prompt-category.js';
import type { PromptRecord } from '../prompts/prompt-record.js';
import { detectObjects } from './detect-objects.js';
import type { DetectorOptions } from './detector-options.js';
import { meanOfFinite } from './mean.js';

/** Result of {@link evaluateUnconditionalImages}. */
export interface UnconditionalScore {
  /** Per category: mean pass rate of the images over the category's distinct prompt texts (NaN without prompts). */
  readonly categories: Readonly<Record<PromptCategory, number>>;
  /** Mean of the category scores: the "accuracy" a generator reaches without reading the prompt. */
  readonly overall: number;
  readonly objectsPerImage: number;
  readonly imageCount: number;
}

/**
 * Scores images generated *without* a prompt (unconditional samples) against every distinct prompt text of each
 * category: the chance level a prompt-following score must beat.
 */
export function evaluateUnconditionalImages(
  images: readonly RgbImage[],
  prompts: readonly PromptRecord[],
  detectorOptions: DetectorOptions = {},
): UnconditionalScore {
  const detections = images.map((image) => detectObjects(image, detectorOptions));
  const categories = {} as Record<PromptCategory, number>;
  for (const category of promptCategories) {
    const texts = new Map<string, PromptRecord>();
    for (const prompt of prompts) if (prompt.category === category && !texts.has(prompt.prompt)) texts.set(prompt.prompt, prompt);
    const rates = detections.map((objects) => {
      const requirements = [...texts.values()];
      return requirements.length === 0 ? Number.NaN : requirements.filter((prompt) => checkRequirements(objects, prompt).passed).length / requirements.length;
    });
    categories[category] = meanOfFinite(rates);
  }
  return {
    categories,
    overall: meanOfFinite(promptCategories.map((category) => categories[category])),
    objectsPerImage: detections.length === 0 ? Number.NaN : detections.reduce((sum, objects) => sum + objects.length, 0) / detections.length,
    imageCount: images.length,
  };
}
