import { readFile } from 'node:fs/promises';
import { ShapesFileError } from '../errors/shapes-file-error.js';
import { isShapeColor } from '../palette/shape-color.js';
import { isShapeKind } from '../scene/shape-kind.js';
import type { SceneRecord } from './scene-record.js';

/**
 * Reads scenes.jsonl (`reca shapes generate`): one `{"file", "dense", "sparse", "objects": [{"color", "shape", "cx",
 * "cy", "size"}]}` per line.
 *
 * @throws ShapesFileError naming the line of a malformed record.
 */
export async function readScenesFile(path: string): Promise<SceneRecord[]> {
  const text = await readFile(path, 'utf8');
  const records: SceneRecord[] = [];
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    if (rawLine.trim() === '') continue;
    const fail = (message: string) => new ShapesFileError({ path, line: index + 1, message });
    let value: unknown;
    try {
      value = JSON.parse(rawLine);
    } catch (error) {
      throw fail(`not valid JSON (${(error as Error).message})`);
    }
    const record = value as Partial<SceneRecord> | null;
    if (!record || typeof record !== 'object' || typeof record.file !== 'string' || typeof record.dense !== 'string' || typeof record.sparse !== 'string') {
      throw fail('expected {"file": string, "dense": string, "sparse": string, "objects": [...]}');
    }
    if (!Array.isArray(record.objects)) throw fail('"objects" must be an array');
    for (const object of record.objects) {
      const valid =
        object !== null &&
        typeof object === 'object' &&
        isShapeColor(String(object.color)) &&
        isShapeKind(String(object.shape)) &&
        Number.isFinite(object.cx) &&
        Number.isFinite(object.cy) &&
        Number.isInteger(object.size);
      if (!valid) throw fail(`bad object ${JSON.stringify(object)}`);
    }
    records.push(record as SceneRecord);
  }
  return records;
}
