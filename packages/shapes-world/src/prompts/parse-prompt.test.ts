import { describe, expect, it } from 'vitest';
import { PromptParseError } from '../errors/prompt-parse-error.js';
import { parsePrompt } from './parse-prompt.js';
import { descriptionRequirements, parseDescription } from './parse-description.js';

describe('parsePrompt', () => {
  it('maps each of the six templates to its category and GenEval requirements', () => {
    expect(parsePrompt('a circle')).toEqual({ category: 'single_object', include: [{ shape: 'circle', count: 1 }], exclude: [] });
    expect(parsePrompt('a red square')).toEqual({ category: 'colors', include: [{ shape: 'square', color: 'red', count: 1 }], exclude: [] });
    expect(parsePrompt('three triangles')).toEqual({
      category: 'counting',
      include: [{ shape: 'triangle', count: 3 }],
      exclude: [{ shape: 'triangle', count: 4 }],
    });
    expect(parsePrompt('a circle and a square')).toEqual({
      category: 'two_object',
      include: [{ shape: 'circle', count: 1 }, { shape: 'square', count: 1 }],
      exclude: [],
    });
    expect(parsePrompt('a red circle and a blue square').category).toBe('color_attr');
    expect(parsePrompt('a green triangle right of a cyan circle')).toEqual({
      category: 'position',
      include: [
        { shape: 'triangle', color: 'green', count: 1, position: { relation: 'right of', target: 1 } },
        { shape: 'circle', color: 'cyan', count: 1 },
      ],
      exclude: [],
    });
    for (const relation of ['left of', 'above', 'below']) {
      expect(parsePrompt(`a red circle ${relation} a blue square`).include[0]?.position?.relation).toBe(relation);
    }
    expect(parsePrompt('  A Red Circle. ').category).toBe('colors');
  });

  it('names unknown words', () => {
    const error = (() => {
      try {
        parsePrompt('a purple circle next to a dog');
      } catch (caught) {
        return caught;
      }
    })();
    expect(PromptParseError.isInstance(error)).toBe(true);
    expect((error as PromptParseError).unknownWords).toEqual(['purple', 'next', 'to', 'dog']);
    expect((error as Error).message).toBe('unknown words "purple", "next", "to", "dog" in prompt "a purple circle next to a dog"');
  });

  it('rejects known words that are not a template', () => {
    for (const text of ['a red shape', 'three objects', 'one circle', 'circle', 'a circle and a red square', 'a circle left of a square', 'two red circles', '']) {
      expect(() => parsePrompt(text), text).toThrow(PromptParseError);
    }
    expect(() => parsePrompt('a red shape')).toThrow(/does not follow a ShapesWorld prompt template/);
  });
});

describe('parseDescription (captions)', () => {
  it('reads generic nouns and exact counts', () => {
    expect(descriptionRequirements(parseDescription('a red shape'))).toEqual({ include: [{ color: 'red', count: 1 }], exclude: [] });
    expect(descriptionRequirements(parseDescription('three objects'))).toEqual({ include: [{ count: 3 }], exclude: [{ count: 4 }] });
    expect(descriptionRequirements(parseDescription('one object'))).toEqual({ include: [{ count: 1 }], exclude: [{ count: 2 }] });
    expect(descriptionRequirements(parseDescription('a circle and a circle'))).toEqual({ include: [{ shape: 'circle', count: 2 }], exclude: [] });
  });
});
