import { SeededRandom } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { heldoutCombinations, isHeldoutCombination } from '../heldout/heldout-combinations.js';
import { observeScene } from '../ground-truth/sample-scene-for-prompt.js';
import { checkRequirements } from '../prompts/check-requirements.js';
import { descriptionRequirements, parseDescription } from '../prompts/parse-description.js';
import { relationHolds, type Relation } from '../prompts/relation.js';
import { objectCentroid } from '../scene/object-centroid.js';
import { sampleScene } from '../scene/sample-scene.js';
import type { Scene } from '../scene/scene.js';
import { denseCaption } from './dense-caption.js';
import { sparseCaption } from './sparse-caption.js';
import { shapesWorldVocabulary, splitShapesWorldWords } from './vocabulary.js';

const scenes: Scene[] = Array.from({ length: 2000 }, (_, index) => sampleScene(new SeededRandom(`captions-${index}`)));
const vocabulary = new Set(shapesWorldVocabulary);
const namesHeldout = (text: string) => heldoutCombinations.some(({ color, shape }) => text.includes(`${color} ${shape}`));

describe('denseCaption', () => {
  it('names every object with colour and shape, left to right', () => {
    const scene: Scene = {
      width: 32,
      height: 32,
      objects: [
        { color: 'blue', shape: 'square', left: 20, top: 2, size: 8 },
        { color: 'yellow', shape: 'circle', left: 2, top: 2, size: 8 },
        { color: 'red', shape: 'square', left: 18, top: 12, size: 8 },
      ],
    };
    expect(denseCaption(scene, { heldout: 'none' })).toBe(
      'a yellow circle, a red square and a blue square. the yellow circle is left of the red square. the red square is below the blue square.',
    );
    // yellow circle and blue square are held out: by default they are named by colour only.
    expect(denseCaption(scene)).toBe(
      'a yellow shape, a red square and a blue shape. the yellow shape is left of the red square. the red square is below the blue shape.',
    );
    expect(denseCaption({ ...scene, objects: [{ color: 'red', shape: 'triangle', left: 3, top: 3, size: 9 }] })).toBe('a red shape.');
    expect(denseCaption({ ...scene, objects: [{ color: 'red', shape: 'triangle', left: 3, top: 3, size: 9 }] }, { heldout: 'none' })).toBe('a red triangle.');
  });

  it('is true of every scene: one phrase per object, every relation sentence holds on centroids', () => {
    for (const scene of scenes) {
      const caption = denseCaption(scene, { heldout: 'none' });
      const [list, ...sentences] = caption.slice(0, -1).split('. ');
      const phrases = (list as string).split(/, | and /).sort();
      expect(phrases).toEqual(scene.objects.map((object) => `a ${object.color} ${object.shape}`).sort());
      expect(sentences.length).toBe(scene.objects.length - 1);
      for (const sentence of sentences) {
        const match = /^the (\w+) (\w+) is (left of|right of|above|below) the (\w+) (\w+)$/.exec(sentence);
        expect(match, sentence).not.toBeNull();
        const [, subjectColor, subjectShape, relation, referenceColor, referenceShape] = match as RegExpExecArray;
        const subjects = scene.objects.filter((object) => object.color === subjectColor && object.shape === subjectShape);
        const references = scene.objects.filter((object) => object.color === referenceColor && object.shape === referenceShape);
        const holds = subjects.some((subject) =>
          references.some((reference) => relationHolds(objectCentroid(subject), objectCentroid(reference), relation as Relation)),
        );
        expect(holds, `${sentence} in ${JSON.stringify(scene.objects)}`).toBe(true);
      }
      expect(splitShapesWorldWords(caption).every((word) => vocabulary.has(word))).toBe(true);
    }
  });

  it('never names a held-out combination under the default policy', () => {
    let hidden = 0;
    for (const scene of scenes) {
      const caption = denseCaption(scene);
      expect(namesHeldout(caption), caption).toBe(false);
      if (scene.objects.some((object) => isHeldoutCombination(object.color, object.shape))) hidden++;
    }
    expect(hidden).toBeGreaterThan(500);
  });
});

describe('sparseCaption', () => {
  it('is always a true fragment of the scene (parsed back and checked on ground truth)', () => {
    for (const [index, scene] of scenes.entries()) {
      for (const heldout of ['none', 'captions'] as const) {
        const caption = sparseCaption(scene, new SeededRandom(index), { heldout });
        const requirements = descriptionRequirements(parseDescription(caption));
        const check = checkRequirements(observeScene(scene.objects), requirements);
        expect(check.passed, `${caption}: ${check.failures.join('; ')}`).toBe(true);
        expect(parseDescription(caption).join === undefined || parseDescription(caption).join === 'and').toBe(true); // never a relation
        if (heldout === 'captions') expect(namesHeldout(caption), caption).toBe(false);
      }
    }
  });

  it('is mostly one fragment, sometimes a pair or a count, and varies like alt-text', () => {
    const kinds = { single: 0, pair: 0, count: 0 };
    const distinct = new Set<string>();
    scenes.forEach((scene, index) => {
      const caption = sparseCaption(scene, new SeededRandom(1000 + index), { heldout: 'none' });
      distinct.add(caption);
      if (/^(one|two|three|four) /.test(caption)) kinds.count++;
      else if (caption.includes(' and ')) kinds.pair++;
      else kinds.single++;
    });
    const total = scenes.length;
    expect(kinds.single / total).toBeGreaterThan(0.55);
    expect(kinds.pair / total).toBeGreaterThan(0.08);
    expect(kinds.count / total).toBeGreaterThan(0.08);
    expect(distinct.size).toBeGreaterThan(40);
    expect(sparseCaption(scenes[0] as Scene, new SeededRandom(5))).toBe(sparseCaption(scenes[0] as Scene, new SeededRandom(5)));
  });

  it('rejects probabilities that do not add up', () => {
    expect(() => sparseCaption(scenes[0] as Scene, new SeededRandom(0), { pairProbability: 0.7, countProbability: 0.5 })).toThrow(/sum to ≤ 1/);
  });
});
