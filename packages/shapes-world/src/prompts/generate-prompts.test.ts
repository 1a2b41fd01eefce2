import { describe, expect, it } from 'vitest';
import { isHeldoutCombination } from '../heldout/heldout-combinations.js';
import { promptCategories } from './prompt-category.js';
import { generatePrompts, promptTextsOf } from './generate-prompts.js';
import { parsePrompt } from './parse-prompt.js';
import type { PromptRecord } from './prompt-record.js';

const combinationsOf = (record: PromptRecord) =>
  record.include.filter((requirement) => requirement.color !== undefined && requirement.shape !== undefined);

describe('generatePrompts', () => {
  it('makes perCategory prompts in each of the six categories with unique ids and parsed requirements', () => {
    const prompts = generatePrompts({ perCategory: 25, seed: 3 });
    expect(prompts).toHaveLength(150);
    expect(new Set(prompts.map((prompt) => prompt.id)).size).toBe(150);
    for (const category of promptCategories) expect(prompts.filter((prompt) => prompt.category === category)).toHaveLength(25);
    for (const prompt of prompts) expect({ category: prompt.category, include: prompt.include, exclude: prompt.exclude }).toEqual(parsePrompt(prompt.prompt));
    expect(prompts[0]?.id).toBe('single_object-000');
    expect(generatePrompts({ perCategory: 25, seed: 3 })).toEqual(prompts);
    expect(generatePrompts({ perCategory: 25, seed: 4 })).not.toEqual(prompts);
  });

  it('draws distinct texts first and repeats as evenly as possible', () => {
    const prompts = generatePrompts({ perCategory: 7 });
    const single = prompts.filter((prompt) => prompt.category === 'single_object').map((prompt) => prompt.prompt);
    const counts = ['a circle', 'a square', 'a triangle'].map((text) => single.filter((prompt) => prompt === text).length).sort();
    expect(counts).toEqual([2, 2, 3]);
    const colorAttr = prompts.filter((prompt) => prompt.category === 'color_attr').map((prompt) => prompt.prompt);
    expect(new Set(colorAttr).size).toBe(7);
  });

  it('keeps held-out combinations out of train prompts and puts one in every colour-bound held-out prompt', () => {
    for (const record of generatePrompts({ perCategory: 60, split: 'train' })) {
      expect(combinationsOf(record).some((requirement) => isHeldoutCombination(requirement.color!, requirement.shape!))).toBe(false);
    }
    for (const record of generatePrompts({ perCategory: 60, split: 'heldout' })) {
      if (['colors', 'position', 'color_attr'].includes(record.category)) {
        expect(combinationsOf(record).some((requirement) => isHeldoutCombination(requirement.color!, requirement.shape!)), record.prompt).toBe(true);
      }
    }
    expect(promptTextsOf('colors', 'train')).toHaveLength(12);
    expect(promptTextsOf('colors', 'heldout')).toHaveLength(6);
    expect(promptTextsOf('position', 'train')).toHaveLength(12 * 11 * 4);
    expect(() => generatePrompts({ perCategory: 0 })).toThrow(/perCategory/);
  });
});
