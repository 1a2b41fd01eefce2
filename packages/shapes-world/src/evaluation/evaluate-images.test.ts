import { imagesToTensor, type RgbImage, tensorToImages } from '@reca/data';
import { gaussianBlurImages, SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { addGaussianNoise } from '../__fixtures__/corrupt-images.js';
import { sampleSceneForPrompt } from '../ground-truth/sample-scene-for-prompt.js';
import { generatePrompts } from '../prompts/generate-prompts.js';
import { promptCategories } from '../prompts/prompt-category.js';
import type { PromptRecord } from '../prompts/prompt-record.js';
import { renderScene } from '../render/render-scene.js';
import { evaluateImages } from './evaluate-images.js';
import { evaluateUnconditionalImages } from './evaluate-unconditional.js';
import { evaluationSummaryJson, formatEvaluationTable } from './format-evaluation.js';
import { sampleScene } from '../scene/sample-scene.js';

let prompts: PromptRecord[];
let groundTruth: Map<string, RgbImage[]>;

beforeAll(() => {
  prompts = [...generatePrompts({ perCategory: 40, seed: 11 }), ...generatePrompts({ perCategory: 20, seed: 12, split: 'heldout' }).map((prompt) => ({ ...prompt, id: `heldout-${prompt.id}` }))];
  const random = new SeededRandom('ground-truth');
  groundTruth = new Map(prompts.map((prompt) => [prompt.id, Array.from({ length: 4 }, () => renderScene(sampleSceneForPrompt(prompt, random)))]));
});

/** Applies `corrupt` to every image of the ground truth. */
async function corrupted(corrupt: (images: RgbImage[]) => Promise<RgbImage[]> | RgbImage[]): Promise<Map<string, RgbImage[]>> {
  const result = new Map<string, RgbImage[]>();
  for (const [id, images] of groundTruth) result.set(id, await corrupt(images));
  return result;
}

describe('evaluateImages', () => {
  it('scores rendered ground truth (1440 images, both splits, with distractors) at exactly 100 %', () => {
    const summary = evaluateImages(prompts, groundTruth);
    expect(summary.imageCount).toBe(1440);
    for (const category of promptCategories) expect(summary.categories[category].accuracy, category).toBe(1);
    expect(summary.overall).toBe(1);
    expect(summary.results.every((result) => result.failures.length === 0)).toBe(true);
    // Ground truth follows its own prompt, not the others: mismatched accuracy is far below 1.
    expect(summary.mismatchedOverall).toBeLessThan(0.35);
    expect(summary.specificity).toBeGreaterThan(0.65);
    expect(summary.objectsPerImage).toBeGreaterThan(1.5);
    expect(summary.objectsPerImage).toBeLessThan(4);
    const json = evaluationSummaryJson(summary);
    expect(Object.keys(json)).toEqual([
      'single_object',
      'two_object',
      'counting',
      'colors',
      'position',
      'color_attr',
      'overall',
      'mismatched_overall',
      'specificity',
      'objects_per_image',
    ]);
    expect(json.overall).toBe(1);
    expect(formatEvaluationTable(summary)).toMatch(/overall\s+360\s+1440\s+1\.000/);
  });

  it('computes mismatched accuracy against the other prompts of the category', () => {
    // Two counting prompts; images for "two circles" show two circles, images for "three squares" show two circles too.
    const twoCircles = renderScene({
      width: 32,
      height: 32,
      objects: [
        { color: 'red', shape: 'circle', left: 1, top: 1, size: 8 },
        { color: 'blue', shape: 'circle', left: 20, top: 20, size: 8 },
      ],
    });
    const records = generatePrompts({ perCategory: 1 }).filter((prompt) => prompt.category === 'single_object');
    const counting: PromptRecord[] = [
      { id: 'a', prompt: 'two circles', category: 'counting', include: [{ shape: 'circle', count: 2 }], exclude: [{ shape: 'circle', count: 3 }] },
      { id: 'b', prompt: 'three squares', category: 'counting', include: [{ shape: 'square', count: 3 }], exclude: [{ shape: 'square', count: 4 }] },
    ];
    const summary = evaluateImages([...counting, ...records], new Map([['a', [twoCircles]], ['b', [twoCircles, twoCircles]]]));
    expect(summary.categories.counting.accuracy).toBeCloseTo(1 / 3, 10);
    // a's image fails "three squares" (0); b's images pass "two circles" (1, 1) → mean 2/3.
    expect(summary.categories.counting.mismatchedAccuracy).toBeCloseTo(2 / 3, 10);
    expect(summary.categories.single_object.images).toBe(0);
    expect(Number.isNaN(summary.categories.single_object.accuracy)).toBe(true);
    expect(summary.overall).toBeCloseTo(1 / 3, 10); // categories without images are left out
    expect(evaluationSummaryJson(summary).single_object).toBeNull();
    expect(summary.specificity).toBeCloseTo(1 / 3 - 2 / 3, 10);
  });

  it('gives a prompt-ignoring generator a specificity near 0', () => {
    const random = new SeededRandom('ignore');
    const fixed = Array.from({ length: 8 }, () => renderScene(sampleScene(random)));
    const images = new Map(prompts.map((prompt, index) => [prompt.id, [fixed[index % 8] as RgbImage, fixed[(index + 3) % 8] as RgbImage]]));
    const summary = evaluateImages(prompts, images);
    expect(Math.abs(summary.specificity)).toBeLessThan(0.1);
    expect(summary.overall).toBeLessThan(0.4);
  });

  it('degrades gracefully with noise: perfect up to σ = 30, then falling monotonically, object counts stable', async () => {
    const scores: number[] = [];
    const objects: number[] = [];
    for (const sigma of [10, 30, 60, 90]) {
      const random = new SeededRandom(sigma);
      const summary = evaluateImages(prompts, await corrupted((images) => images.map((image) => addGaussianNoise(image, sigma, random))));
      scores.push(summary.overall);
      objects.push(summary.objectsPerImage);
    }
    expect(scores[0]).toBe(1);
    expect(scores[1]).toBe(1);
    expect(scores[2]).toBeLessThan(0.95);
    expect(scores[2]).toBeGreaterThan(0.5);
    expect(scores[3]).toBeLessThan(scores[2] as number);
    const clean = evaluateImages(prompts, groundTruth).objectsPerImage;
    for (const count of objects) expect(Math.abs(count - clean)).toBeLessThan(0.1); // no spurious objects from noise
  });

  it('degrades gracefully with blur: perfect at σ = 0.5, falling as the blur grows', async () => {
    const blurred = async (sigma: number) =>
      evaluateImages(
        prompts,
        await corrupted(async (images) => {
          const tensor = imagesToTensor(images);
          const blur = gaussianBlurImages(tensor, sigma);
          const result = await tensorToImages(blur);
          tf.dispose([tensor, blur]);
          return result;
        }),
      ).overall;
    const scores = [await blurred(0.5), await blurred(1), await blurred(1.5)];
    expect(scores[0]).toBe(1);
    expect(scores[1]).toBeLessThan(1);
    expect(scores[1]).toBeGreaterThan(0.6);
    expect(scores[2]).toBeLessThan(scores[1] as number);
    expect(scores[2]).toBeGreaterThan(0.3);
  });

  it('rejects duplicate prompt ids', () => {
    const [first] = prompts as [PromptRecord];
    expect(() => evaluateImages([first, first], new Map())).toThrow(/appears twice/);
  });
});

describe('evaluateUnconditionalImages', () => {
  it('scores random scenes against every prompt of each category (chance level)', () => {
    const random = new SeededRandom('unconditional');
    const images = Array.from({ length: 200 }, () => renderScene(sampleScene(random)));
    const score = evaluateUnconditionalImages(images, prompts);
    expect(score.imageCount).toBe(200);
    // A random 1–4 object scene contains a given shape with probability ≈ 0.6.
    expect(score.categories.single_object).toBeGreaterThan(0.45);
    expect(score.categories.single_object).toBeLessThan(0.75);
    expect(score.categories.position).toBeLessThan(0.1);
    expect(score.overall).toBeLessThan(0.4);
    expect(score.objectsPerImage).toBeGreaterThan(2);
    expect(score.objectsPerImage).toBeLessThan(3);
  });
});
