import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePngRgb } from '@reca/data';
import { InvalidArgumentError } from '@reca/runtime';
import { generateSceneExample, type ShapesDatasetOptions } from './generate-scene-example.js';

/** Name of the scene list inside a dataset folder. */
export const scenesFileName = 'scenes.jsonl';
/** Name of the image folder inside a dataset folder. */
export const imagesFolderName = 'images';

/** Result of {@link writeShapesDataset}. */
export interface WrittenShapesDataset {
  readonly count: number;
  readonly scenesFile: string;
  readonly imagesFolder: string;
}

/**
 * Writes a ShapesWorld dataset (the `reca shapes generate` format): `out/images/{index}.png` (index 0 … count − 1,
 * not zero-padded) and `out/scenes.jsonl` with one `{"file", "dense", "sparse", "objects": [{"color", "shape", "cx",
 * "cy", "size"}]}` line per image, in index order.
 *
 * @param onProgress - called after every 1000 images with the number written so far.
 */
export async function writeShapesDataset(
  out: string,
  options: ShapesDatasetOptions & { count: number },
  onProgress?: (written: number) => void,
): Promise<WrittenShapesDataset> {
  const { count } = options;
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError({ argument: 'count', message: `must be a positive integer, got ${count}` });
  const imagesFolder = join(out, imagesFolderName);
  await mkdir(imagesFolder, { recursive: true });
  const scenesFile = join(out, scenesFileName);
  const stream = createWriteStream(scenesFile, { encoding: 'utf8' });
  const streamError = new Promise<never>((_, reject) => stream.on('error', reject));
  streamError.catch(() => undefined); // observed through Promise.race below
  const chunk = 32;
  try {
    for (let start = 0; start < count; start += chunk) {
      const examples = Array.from({ length: Math.min(chunk, count - start) }, (_, offset) => generateSceneExample(start + offset, options));
      await Promise.race([
        Promise.all(
          examples.map(async (example) => {
            const png = await encodePngRgb(example.image.data, example.image.width, example.image.height);
            await writeFile(join(out, example.record.file), png);
          }),
        ),
        streamError,
      ]);
      const lines = examples.map((example) => `${JSON.stringify(example.record)}\n`).join('');
      if (!stream.write(lines)) await Promise.race([new Promise<void>((resolve) => stream.once('drain', () => resolve())), streamError]);
      const written = start + examples.length;
      if (onProgress && (Math.floor(written / 1000) > Math.floor(start / 1000) || written === count)) onProgress(written);
    }
  } finally {
    await new Promise<void>((resolve) => stream.end(resolve));
  }
  return { count, scenesFile, imagesFolder };
}
