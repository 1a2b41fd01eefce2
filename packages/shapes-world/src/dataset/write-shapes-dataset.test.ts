import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImageRgb } from '@reca/data';
import { describe, expect, it } from 'vitest';
import { ShapesFileError } from '../errors/shapes-file-error.js';
import { fromObjectRecord } from '../scene/scene-record.js';
import { renderScene } from '../render/render-scene.js';
import { generateSceneExample } from './generate-scene-example.js';
import { readScenesFile } from './read-scenes-file.js';
import { writeShapesDataset } from './write-shapes-dataset.js';

describe('writeShapesDataset / readScenesFile', () => {
  it('writes images/{index}.png and scenes.jsonl whose objects re-render to the same pixels', async () => {
    const out = await mkdtemp(join(tmpdir(), 'shapes-'));
    const progress: number[] = [];
    await writeShapesDataset(out, { count: 70, seed: 5 }, (written) => progress.push(written));
    expect(progress).toEqual([70]);
    expect((await readdir(join(out, 'images'))).length).toBe(70);
    const records = await readScenesFile(join(out, 'scenes.jsonl'));
    expect(records.map((record) => record.file)).toEqual(Array.from({ length: 70 }, (_, index) => `images/${index}.png`));
    for (const record of records.slice(0, 20)) {
      expect(Object.keys(record)).toEqual(['file', 'dense', 'sparse', 'objects']);
      for (const object of record.objects) expect(Object.keys(object)).toEqual(['color', 'shape', 'cx', 'cy', 'size']);
      const image = await readImageRgb(join(out, record.file));
      const rerendered = renderScene({ width: 32, height: 32, objects: record.objects.map(fromObjectRecord) });
      expect(Buffer.from(image.data).equals(Buffer.from(rerendered.data))).toBe(true);
    }
  });

  it('makes example i depend only on (seed, i)', () => {
    expect(generateSceneExample(17, { seed: 'a' }).record).toEqual(generateSceneExample(17, { seed: 'a' }).record);
    expect(generateSceneExample(17, { seed: 'a' }).record).not.toEqual(generateSceneExample(17, { seed: 'b' }).record);
    expect(generateSceneExample(3, { seed: 1, canvasSize: 48 }).image.width).toBe(48);
  });

  it('names the line of a malformed scene record', async () => {
    const out = await mkdtemp(join(tmpdir(), 'shapes-'));
    const path = join(out, 'scenes.jsonl');
    await writeFile(path, '{"file":"a.png","dense":"a red circle.","sparse":"a circle","objects":[]}\n{"file":"b.png","dense":"","sparse":"","objects":[{"color":"purple"}]}\n');
    const error = await readScenesFile(path).catch((caught: unknown) => caught);
    expect(ShapesFileError.isInstance(error) && error.line).toBe(2);
  });
});
