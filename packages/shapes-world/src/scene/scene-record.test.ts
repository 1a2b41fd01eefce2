import { SeededRandom } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { objectCentroid } from './object-centroid.js';
import { sampleScene } from './sample-scene.js';
import { fromObjectRecord, toObjectRecord } from './scene-record.js';

describe('scene records (scenes.jsonl objects)', () => {
  it('stores the pixel centroid: box centre for circles and squares, lower for the upright triangle', () => {
    expect(toObjectRecord({ color: 'red', shape: 'square', left: 10, top: 4, size: 7 })).toEqual({ color: 'red', shape: 'square', cx: 13, cy: 7, size: 7 });
    expect(toObjectRecord({ color: 'blue', shape: 'circle', left: 0, top: 0, size: 8 })).toMatchObject({ cx: 3.5, cy: 3.5 });
    // 7 px triangle rows 1,3,3,5,5,7,7 (31 px): mean row = (0+3+6+15+20+35+42)/31 = 121/31.
    expect(toObjectRecord({ color: 'cyan', shape: 'triangle', left: 2, top: 5, size: 7 })).toMatchObject({ cx: 5, cy: 5 + 121 / 31 });
  });

  it('round-trips every sampled object through its record', () => {
    for (let seed = 0; seed < 500; seed++) {
      for (const object of sampleScene(new SeededRandom(seed)).objects) {
        const record = toObjectRecord(object);
        expect(fromObjectRecord(record)).toEqual(object);
        expect({ x: record.cx, y: record.cy }).toEqual(objectCentroid(object));
      }
    }
    expect(() => fromObjectRecord({ color: 'red', shape: 'square', cx: 3.25, cy: 3, size: 7 })).toThrow(/pixel grid/);
    expect(() => fromObjectRecord({ color: 'purple' as 'red', shape: 'square', cx: 3, cy: 3, size: 7 })).toThrow(/not a ShapesWorld object/);
  });
});
