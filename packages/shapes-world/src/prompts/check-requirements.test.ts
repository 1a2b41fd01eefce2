import { describe, expect, it } from 'vitest';
import { checkRequirements } from './check-requirements.js';
import type { ObservedObject } from './observed-object.js';
import { parsePrompt } from './parse-prompt.js';

const object = (color: ObservedObject['color'], shape: ObservedObject['shape'], x: number, y: number): ObservedObject => ({ color, shape, x, y });

describe('checkRequirements (GenEval rules)', () => {
  it('counts exactly for counting prompts and at least for the others', () => {
    const three = [object('red', 'circle', 5, 5), object('blue', 'circle', 15, 5), object('green', 'circle', 25, 5)];
    expect(checkRequirements(three, parsePrompt('three circles')).passed).toBe(true);
    expect(checkRequirements(three.slice(0, 2), parsePrompt('three circles')).failures).toEqual(['expected ≥ 3 circle, found 2']);
    expect(checkRequirements([...three, object('red', 'circle', 5, 25)], parsePrompt('three circles')).failures).toEqual(['expected < 4 circle, found 4']);
    expect(checkRequirements(three, parsePrompt('a circle')).passed).toBe(true);
    expect(checkRequirements(three, parsePrompt('a square')).passed).toBe(false);
  });

  it('binds colours to shapes', () => {
    const scene = [object('red', 'circle', 5, 5), object('blue', 'square', 20, 5)];
    expect(checkRequirements(scene, parsePrompt('a red circle and a blue square')).passed).toBe(true);
    expect(checkRequirements(scene, parsePrompt('a blue circle and a red square')).failures).toEqual([
      'expected ≥ 1 blue circle, found 0',
      'expected ≥ 1 red square, found 0',
    ]);
    expect(checkRequirements(scene, parsePrompt('a red square')).passed).toBe(false);
  });

  it('judges relations on centroids with the 3 px threshold, for every pair', () => {
    const prompt = parsePrompt('a red circle left of a blue square');
    expect(checkRequirements([object('red', 'circle', 10, 5), object('blue', 'square', 13, 30)], prompt).passed).toBe(true);
    expect(checkRequirements([object('red', 'circle', 10, 5), object('blue', 'square', 12.99, 30)], prompt).failures).toEqual([
      'expected red circle left of blue square',
    ]);
    // A second red circle right of the square breaks "every red circle is left of the square".
    expect(checkRequirements([object('red', 'circle', 2, 5), object('blue', 'square', 13, 5), object('red', 'circle', 25, 5)], prompt).passed).toBe(false);
    const above = parsePrompt('a red circle above a blue square');
    expect(checkRequirements([object('red', 'circle', 10, 5), object('blue', 'square', 10, 8)], above).passed).toBe(true);
    expect(checkRequirements([object('red', 'circle', 10, 5), object('blue', 'square', 10, 7.5)], above).passed).toBe(false);
    const below = parsePrompt('a red circle below a blue square');
    expect(checkRequirements([object('red', 'circle', 10, 20), object('blue', 'square', 30, 5)], below).passed).toBe(true);
    const right = parsePrompt('a red circle right of a blue square');
    expect(checkRequirements([object('red', 'circle', 20, 20), object('blue', 'square', 5, 20)], right).passed).toBe(true);
  });
});
