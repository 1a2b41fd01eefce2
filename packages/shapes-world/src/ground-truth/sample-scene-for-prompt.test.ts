import { SeededRandom } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { SceneSamplingError } from '../errors/scene-sampling-error.js';
import { checkRequirements } from '../prompts/check-requirements.js';
import { generatePrompts } from '../prompts/generate-prompts.js';
import { observeScene, sampleSceneForPrompt } from './sample-scene-for-prompt.js';

describe('sampleSceneForPrompt', () => {
  it('satisfies every requirement, adds distractors, and can leave them out', () => {
    const random = new SeededRandom(2);
    let extra = 0;
    for (const prompt of generatePrompts({ perCategory: 30 })) {
      const scene = sampleSceneForPrompt(prompt, random);
      expect(checkRequirements(observeScene(scene.objects), prompt).passed).toBe(true);
      const needed = prompt.include.reduce((sum, requirement) => sum + requirement.count, 0);
      if (scene.objects.length > needed) extra++;
      expect(sampleSceneForPrompt(prompt, random, { distractors: false }).objects).toHaveLength(needed);
    }
    expect(extra).toBeGreaterThan(40);
  });

  it('reports contradictory requirements', () => {
    const contradictory = { include: [{ shape: 'circle' as const, count: 2 }], exclude: [{ shape: 'circle' as const, count: 2 }] };
    expect(() => sampleSceneForPrompt(contradictory, new SeededRandom(0))).toThrow(SceneSamplingError);
  });
});
