import { SeededRandom } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { addGaussianNoise, addSpecks, shiftColors } from '../__fixtures__/corrupt-images.js';
import { renderScene } from '../render/render-scene.js';
import { objectCentroid } from '../scene/object-centroid.js';
import { sampleScene } from '../scene/sample-scene.js';
import type { Scene } from '../scene/scene.js';
import { classifyShape } from './classify-shape.js';
import { detectObjects } from './detect-objects.js';
import { labelPixels } from './label-pixels.js';

/** Ground truth in a canonical order, in the form detections are compared with. */
function truth(scene: Scene) {
  return scene.objects
    .map((object) => ({ color: object.color, shape: object.shape, ...objectCentroid(object), width: object.size, height: object.size }))
    .sort((first, second) => first.x - second.x || first.y - second.y);
}

function detected(scene: Scene, image = renderScene(scene)) {
  return detectObjects(image)
    .map(({ color, shape, x, y, width, height }) => ({ color, shape, x, y, width, height }))
    .sort((first, second) => first.x - second.x || first.y - second.y);
}

describe('detectObjects', () => {
  it('recovers every object of 5000 random rendered scenes exactly: colour, shape, centroid and size', () => {
    let mismatches = 0;
    for (let seed = 0; seed < 5000; seed++) {
      const scene = sampleScene(new SeededRandom(`detect-${seed}`));
      const found = detected(scene);
      const expected = truth(scene);
      if (JSON.stringify(found) !== JSON.stringify(expected)) {
        mismatches++;
        if (mismatches === 1) expect(found).toEqual(expected);
      }
    }
    expect(mismatches).toBe(0);
  });

  it('also works on other canvas sizes', () => {
    for (let seed = 0; seed < 300; seed++) {
      const scene = sampleScene(new SeededRandom(seed), { canvasSize: 64, maximumObjects: 8 });
      expect(detected(scene)).toEqual(truth(scene));
    }
  });

  it('labels by nearest palette colour within the distance cap', () => {
    const pixels = [
      [250, 10, 5], // red
      [200, 200, 60], // yellow (distance 81)
      [128, 128, 128], // grey: nearest is ≥ 221 away → background
      [255, 255, 255], // white → background
      [40, 0, 0], // dark red: black is nearer → background
      [0, 140, 0], // green at distance 115 → green
      [0, 130, 0], // green at distance 125 > 120 → background
    ];
    const image = { width: pixels.length, height: 1, data: Uint8Array.from(pixels.flat()) };
    expect(Array.from(labelPixels(image, 120))).toEqual([1, 4, 0, 0, 0, 2, 0]);
  });

  it('ignores components smaller than 12 pixels and classifies shapes by geometry', () => {
    const image = renderScene({ width: 32, height: 32, objects: [{ color: 'red', shape: 'square', left: 2, top: 2, size: 7 }] });
    // An 11-pixel blue speck and a 12-pixel green bar.
    for (let x = 15; x < 26; x++) image.data.set([0, 0, 255], (20 * 32 + x) * 3);
    for (let x = 15; x < 27; x++) image.data.set([0, 255, 0], (25 * 32 + x) * 3);
    expect(detectObjects(image).map((object) => [object.color, object.pixelCount])).toEqual([
      ['red', 49],
      ['green', 12],
    ]);
    expect(detectObjects(image, { minimumComponentPixels: 13 }).map((object) => object.color)).toEqual(['red']);
    expect(classifyShape({ fillRatio: 0.6, verticalBalance: 0.15 })).toBe('triangle');
    expect(classifyShape({ fillRatio: 0.6, verticalBalance: -0.15 })).toBe('circle'); // inverted triangle is not upright
    expect(classifyShape({ fillRatio: 0.95, verticalBalance: 0 })).toBe('square');
    expect(classifyShape({ fillRatio: 0.78, verticalBalance: 0.02 })).toBe('circle');
  });

  it('tolerates moderate noise, specks and slightly-off colours', () => {
    let exact = 0;
    const total = 500;
    for (let seed = 0; seed < total; seed++) {
      const scene = sampleScene(new SeededRandom(`noisy-${seed}`));
      const random = new SeededRandom(seed);
      let image = addGaussianNoise(renderScene(scene), 25, random);
      image = addSpecks(image, 0.01, random);
      image = shiftColors(image, [-40, 30, -20]);
      const found = detected(scene, image).map(({ color, shape }) => `${color} ${shape}`).sort();
      if (JSON.stringify(found) === JSON.stringify(truth(scene).map(({ color, shape }) => `${color} ${shape}`).sort())) exact++;
    }
    expect(exact / total).toBeGreaterThan(0.97);
  });
});
