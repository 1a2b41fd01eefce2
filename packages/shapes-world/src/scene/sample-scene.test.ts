import { SeededRandom } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { trainingCombinations, isHeldoutCombination } from '../heldout/heldout-combinations.js';
import { renderScene } from '../render/render-scene.js';
import { shapeColorRgb, shapeColors } from '../palette/shape-color.js';
import { sampleScene } from './sample-scene.js';
import type { Scene } from './scene.js';
import { shapeMask } from './shape-mask.js';

/** Pixel sets of each object, computed from the masks (independently of the renderer). */
function objectPixels(scene: Scene): Array<Set<number>> {
  return scene.objects.map((object) => {
    const pixels = new Set<number>();
    const mask = shapeMask(object.shape, object.size);
    for (let row = 0; row < object.size; row++) {
      for (let column = 0; column < object.size; column++) {
        if (mask[row * object.size + column] === 1) pixels.add((object.top + row) * scene.width + object.left + column);
      }
    }
    return pixels;
  });
}

describe('sampleScene + renderScene (ShapesWorld v1 contract)', () => {
  const scenes = Array.from({ length: 3000 }, (_, index) => sampleScene(new SeededRandom(index)));

  it('draws 1–4 objects of sizes 7–11, every colour and shape, fully inside a 32×32 canvas', () => {
    const counts = new Set<number>();
    const sizes = new Set<number>();
    const colors = new Set<string>();
    const shapes = new Set<string>();
    for (const scene of scenes) {
      expect([scene.width, scene.height]).toEqual([32, 32]);
      counts.add(scene.objects.length);
      for (const object of scene.objects) {
        sizes.add(object.size);
        colors.add(object.color);
        shapes.add(object.shape);
        expect(object.left).toBeGreaterThanOrEqual(0);
        expect(object.top).toBeGreaterThanOrEqual(0);
        expect(object.left + object.size).toBeLessThanOrEqual(32);
        expect(object.top + object.size).toBeLessThanOrEqual(32);
      }
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
    expect([...sizes].sort((first, second) => first - second)).toEqual([7, 8, 9, 10, 11]);
    expect(colors.size).toBe(6);
    expect(shapes.size).toBe(3);
  });

  it('never lets objects overlap or touch (not even diagonally)', () => {
    let touching = 0;
    for (const scene of scenes) {
      const pixelSets = objectPixels(scene);
      for (let first = 0; first < pixelSets.length; first++) {
        for (let second = first + 1; second < pixelSets.length; second++) {
          for (const pixel of pixelSets[first] as Set<number>) {
            const x = pixel % 32;
            const y = Math.floor(pixel / 32);
            for (let dy = -1; dy <= 1; dy++) {
              for (let dx = -1; dx <= 1; dx++) {
                const neighbour = (y + dy) * 32 + x + dx;
                if (x + dx >= 0 && x + dx < 32 && (pixelSets[second] as Set<number>).has(neighbour)) touching++;
              }
            }
          }
        }
      }
    }
    expect(touching).toBe(0);
  });

  it('renders exact colours on black with no anti-aliasing: each object owns exactly its mask pixels', () => {
    let wrong = 0;
    for (const scene of scenes) {
      const image = renderScene(scene);
      const owner = new Map<number, number>();
      objectPixels(scene).forEach((pixels, index) => pixels.forEach((pixel) => owner.set(pixel, index)));
      for (let pixel = 0; pixel < 32 * 32; pixel++) {
        const index = owner.get(pixel);
        const expected = index === undefined ? [0, 0, 0] : shapeColorRgb[(scene.objects[index] as Scene['objects'][number]).color];
        if (expected.some((value, channel) => image.data[pixel * 3 + channel] !== value)) wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(shapeColors.map((color) => shapeColorRgb[color])).toEqual([
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 0],
      [255, 0, 255],
      [0, 255, 255],
    ]);
  });

  it('is deterministic in the seed and honours a restricted set of combinations and sizes', () => {
    expect(sampleScene(new SeededRandom(42))).toEqual(sampleScene(new SeededRandom(42)));
    expect(sampleScene(new SeededRandom(42))).not.toEqual(sampleScene(new SeededRandom(43)));
    for (let seed = 0; seed < 500; seed++) {
      const scene = sampleScene(new SeededRandom(seed), { combinations: trainingCombinations, canvasSize: 48, maximumObjects: 6, minimumObjects: 5 });
      expect(scene.width).toBe(48);
      expect(scene.objects.length).toBeGreaterThanOrEqual(5);
      expect(scene.objects.some((object) => isHeldoutCombination(object.color, object.shape))).toBe(false);
    }
    expect(() => sampleScene(new SeededRandom(0), { canvasSize: 8 })).toThrow(/canvasSize/);
  });
});
