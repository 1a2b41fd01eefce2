import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTemporaryFolder, patternImage, writeTestImage } from '../__fixtures__/test-images.js';
import { EmptyDatasetError } from '../errors/empty-dataset-error.js';
import { ImageDecodeError } from '../errors/image-decode-error.js';
import { MissingFileError } from '../errors/missing-file-error.js';
import { imagesToTensor } from '../image/images-to-tensor.js';
import { readImageRgb } from '../image/read-image-rgb.js';
import { epochOrder } from './batch-order.js';
import { openImageFolder } from './image-folder-dataset.js';

/** A folder with 7 valid images in three formats and two sizes, plus captions for some of them. */
async function makeDataset(): Promise<string> {
  const folder = await makeTemporaryFolder();
  for (let index = 0; index < 7; index++) {
    const format = (['png', 'webp', 'jpeg'] as const)[index % 3] as 'png' | 'webp' | 'jpeg';
    const extension = format === 'jpeg' ? 'jpg' : format;
    await writeTestImage(join(folder, `image-${index}.${extension}`), patternImage(index % 2 === 0 ? 16 : 24, 16, index), format);
  }
  await writeFile(join(folder, 'notes.txt'), 'not an image');
  await writeFile(
    join(folder, 'captions.jsonl'),
    ['{"file": "image-0.png", "caption": "zero"}', '{"file": "image-4.webp", "caption": "four"}'].join('\n'),
  );
  return folder;
}

describe('openImageFolder', () => {
  it('lists PNG/JPEG/WebP files in sorted order with their captions', async () => {
    const folder = await makeDataset();
    const dataset = await openImageFolder(folder);
    expect(dataset.entries.map((entry) => entry.file)).toEqual([
      'image-0.png',
      'image-1.webp',
      'image-2.jpg',
      'image-3.png',
      'image-4.webp',
      'image-5.jpg',
      'image-6.png',
    ]);
    expect(dataset.entries.map((entry) => entry.caption)).toEqual(['zero', undefined, undefined, undefined, 'four', undefined, undefined]);
    const withoutCaptions = await openImageFolder(folder, { captionsFile: false });
    expect(withoutCaptions.entries.every((entry) => entry.caption === undefined)).toBe(true);
  });

  it('batches deterministically: same seed same batches, each epoch visits every image once', async () => {
    const folder = await makeDataset();
    const dataset = await openImageFolder(folder, { imageSize: 12 });
    const collect = async (seed: number, epoch: number) => {
      const batches = [];
      for await (const batch of dataset.batches({ batchSize: 3, seed, epoch })) batches.push(batch);
      return batches;
    };
    const first = await collect(5, 0);
    expect(first.map((batch) => batch.images.length)).toEqual([3, 3, 1]);
    expect(first.flatMap((batch) => batch.indices)).toEqual(epochOrder(7, { seed: 5, epoch: 0 }));
    expect((await collect(5, 0)).map((batch) => batch.files)).toEqual(first.map((batch) => batch.files));
    expect((await collect(5, 1)).flatMap((batch) => batch.indices)).not.toEqual(first.flatMap((batch) => batch.indices));
    // Resized on load, so a batch stacks into one tensor.
    for (const batch of first) {
      expect(batch.images.every((image) => image.width === 12 && image.height === 12)).toBe(true);
      const tensor = imagesToTensor(batch.images, batch.files);
      expect(tensor.shape).toEqual([batch.images.length, 12, 12, 3]);
      tensor.dispose();
    }
    const zero = first.flatMap((batch) => batch.files.map((file, index) => [file, batch.captions[index]]));
    expect(zero).toContainEqual(['image-0.png', 'zero']);
  });

  it('keeps original sizes and decodes what readImageRgb decodes', async () => {
    const folder = await makeDataset();
    const dataset = await openImageFolder(folder);
    const image = await dataset.load(1);
    expect([image.width, image.height]).toEqual([24, 16]);
    expect(Buffer.from(image.data).equals(Buffer.from((await readImageRgb(join(folder, 'image-1.webp'))).data))).toBe(true);
  });

  it('throws naming a truncated image, or skips and counts it', async () => {
    const folder = await makeDataset();
    const whole = await writeTestImage(join(folder, 'broken.png'), patternImage(16, 16, 9));
    await writeFile(join(folder, 'broken.png'), whole.subarray(0, 50));
    await writeFile(join(folder, 'fake.jpg'), 'text, not a JPEG');
    const strict = await openImageFolder(folder, { imageSize: 16 });
    const error = await (async () => {
      for await (const _batch of strict.batches({ batchSize: 9, seed: 0, shuffle: false })) {
        // consume
      }
    })().catch((caught: unknown) => caught);
    expect(ImageDecodeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('broken.png');

    const lenient = await openImageFolder(folder, { imageSize: 16, onInvalidImage: 'skip' });
    const batches = [];
    for await (const batch of lenient.batches({ batchSize: 4, seed: 3 })) batches.push(batch);
    expect(batches.map((batch) => batch.images.length)).toEqual([4, 3]);
    expect(batches.flatMap((batch) => batch.files)).not.toContain('broken.png');
    expect(lenient.skippedCount).toBe(2);
    expect(lenient.skipped.map((skipped) => skipped.file).sort()).toEqual(['broken.png', 'fake.jpg']);
    expect(lenient.skipped.find((skipped) => skipped.file === 'broken.png')?.message).toContain('truncated');
    // A second epoch does not count them again.
    for await (const _batch of lenient.batches({ batchSize: 4, seed: 3, epoch: 1 })) {
      // consume
    }
    expect(lenient.skippedCount).toBe(2);
    expect(await lenient.verify()).toEqual({ usable: 7, skipped: 2 });
  });

  it('treats non-RGB images as invalid only under nonRgb: error', async () => {
    const folder = await makeTemporaryFolder();
    await writeTestImage(join(folder, 'rgb.png'), patternImage(8, 8));
    const sharp = (await import('sharp')).default;
    await sharp(Buffer.alloc(64, 100), { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(join(folder, 'grey.png'));
    const converting = await openImageFolder(folder);
    expect(await converting.verify()).toEqual({ usable: 2, skipped: 0 });
    const strict = await openImageFolder(folder, { nonRgb: 'error', onInvalidImage: 'skip' });
    expect(await strict.verify()).toEqual({ usable: 1, skipped: 1 });
    expect(strict.skipped[0]).toMatchObject({ file: 'grey.png', errorName: 'RECA_NonRgbImageError' });
  });

  it('names a missing file a caption refers to, or skips it', async () => {
    const folder = await makeDataset();
    await writeFile(join(folder, 'captions.jsonl'), '{"file": "image-0.png", "caption": "x"}\n{"file": "gone.png", "caption": "y"}\n');
    const error = await openImageFolder(folder).catch((caught: unknown) => caught);
    expect(MissingFileError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/gone\.png \(referenced by .*captions\.jsonl line 2\)/);
    const lenient = await openImageFolder(folder, { onInvalidImage: 'skip' });
    expect(lenient.size).toBe(7);
    expect(lenient.skipped).toMatchObject([{ file: 'gone.png', errorName: 'RECA_MissingFileError' }]);
  });

  it('reports an empty folder, a missing folder, a missing captions file and an all-invalid folder', async () => {
    const empty = await makeTemporaryFolder();
    await mkdir(join(empty, 'sub'));
    await writeFile(join(empty, 'readme.md'), '# nothing');
    const emptyError = await openImageFolder(empty).catch((caught: unknown) => caught);
    expect(EmptyDatasetError.isInstance(emptyError)).toBe(true);
    expect((emptyError as Error).message).toContain(empty);

    const missing = await openImageFolder(join(empty, 'nope')).catch((caught: unknown) => caught);
    expect(MissingFileError.isInstance(missing) && missing.kind).toBe('folder');

    const folder = await makeDataset();
    const noCaptions = await openImageFolder(folder, { captionsFile: 'other.jsonl' }).catch((caught: unknown) => caught);
    expect(MissingFileError.isInstance(noCaptions) && noCaptions.path).toBe(join(folder, 'other.jsonl'));

    const broken = await makeTemporaryFolder();
    await writeFile(join(broken, 'a.png'), 'nope');
    await writeFile(join(broken, 'b.webp'), 'nope');
    const dataset = await openImageFolder(broken, { onInvalidImage: 'skip' });
    const allInvalid = await (async () => {
      for await (const _batch of dataset.batches({ batchSize: 2, seed: 0 })) {
        // consume
      }
    })().catch((caught: unknown) => caught);
    expect(EmptyDatasetError.isInstance(allInvalid) && allInvalid.skippedCount).toBe(2);
  });

  it('reads sub-folders only when recursive', async () => {
    const folder = await makeTemporaryFolder();
    await mkdir(join(folder, 'nested'));
    await writeTestImage(join(folder, 'top.png'), patternImage(4, 4));
    await writeTestImage(join(folder, 'nested', 'deep.png'), patternImage(4, 4));
    expect((await openImageFolder(folder)).entries.map((entry) => entry.file)).toEqual(['top.png']);
    expect((await openImageFolder(folder, { recursive: true })).entries.map((entry) => entry.file)).toEqual(['nested/deep.png', 'top.png']);
  });
});
