import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InvalidArgumentError, RecaError } from '@reca/runtime';
import { CaptionsFileError } from '../errors/captions-file-error.js';
import { EmptyDatasetError } from '../errors/empty-dataset-error.js';
import { MissingFileError } from '../errors/missing-file-error.js';
import { isImageFileName } from '../image/image-file-extensions.js';
import { readImageRgb } from '../image/read-image-rgb.js';
import type { ReadImageOptions } from '../image/read-image-options.js';
import type { RgbImage } from '../image/rgb-image.js';
import { batchIndices, epochOrder, type EpochOrderOptions } from './batch-order.js';
import type { ImageBatch } from './image-batch.js';
import type { ImageFolderDatasetOptions, InvalidImagePolicy } from './image-folder-dataset-options.js';
import { listImageFiles } from './list-image-files.js';
import { readCaptionsFile } from './read-captions-file.js';
import type { SkippedImage } from './skipped-image.js';

/** One image of a dataset. */
export interface ImageEntry {
  /** Path relative to the dataset folder, `/`-separated. */
  readonly file: string;
  /** Absolute (or folder-joined) path to read. */
  readonly path: string;
  /** The caption from the captions file, if any. */
  readonly caption?: string;
}

/** Options of {@link ImageFolderDataset.batches}. */
export interface ImageBatchesOptions extends EpochOrderOptions {
  batchSize: number;
  /** Drop the last batch when it is shorter than `batchSize`. @default false */
  dropLast?: boolean;
}

/** Default name of the captions file looked for in a dataset folder. */
export const defaultCaptionsFileName = 'captions.jsonl';

/**
 * A folder of PNG/JPEG/WebP images with optional captions, read lazily through sharp. Create it with
 * {@link openImageFolder}. Iterating is deterministic: {@link batches} visits a seeded permutation per epoch.
 */
export class ImageFolderDataset {
  /** The images found (in sorted file order), each with its caption when the captions file has one. */
  readonly entries: readonly ImageEntry[];
  private readonly skippedByFile = new Map<string, SkippedImage>();
  private readonly readOptions: ReadImageOptions;
  private readonly onInvalidImage: InvalidImagePolicy;

  /** Use {@link openImageFolder}. */
  constructor(
    readonly folder: string,
    entries: readonly ImageEntry[],
    options: { readOptions: ReadImageOptions; onInvalidImage: InvalidImagePolicy; skipped: readonly SkippedImage[] },
  ) {
    this.entries = entries;
    this.readOptions = options.readOptions;
    this.onInvalidImage = options.onInvalidImage;
    for (const skipped of options.skipped) this.skippedByFile.set(skipped.file, skipped);
  }

  /** Number of image entries (including ones that turn out invalid when read). */
  get size(): number {
    return this.entries.length;
  }

  /** Images skipped so far (with `onInvalidImage: 'skip'`), each once, in the order they were found invalid. */
  get skipped(): readonly SkippedImage[] {
    return [...this.skippedByFile.values()];
  }

  /** `skipped.length`. */
  get skippedCount(): number {
    return this.skippedByFile.size;
  }

  /**
   * Reads one image. Always throws on an invalid image, whatever `onInvalidImage` says.
   * @returns uint8 RGB, resized and centre-cropped when the dataset has an `imageSize`.
   */
  async load(index: number): Promise<RgbImage> {
    const entry = this.entries[index];
    if (entry === undefined) {
      throw new InvalidArgumentError({ argument: 'index', message: `must be in [0, ${this.entries.length}), got ${index}` });
    }
    return readImageRgb(entry.path, this.readOptions);
  }

  /** Reads one image, or returns `undefined` (and records it as skipped) when it is invalid and the policy is `skip`. */
  private async loadOrSkip(index: number): Promise<RgbImage | undefined> {
    const entry = this.entries[index] as ImageEntry;
    if (this.skippedByFile.has(entry.file)) return undefined;
    try {
      return await readImageRgb(entry.path, this.readOptions);
    } catch (error) {
      if (this.onInvalidImage === 'skip' && RecaError.isInstance(error)) {
        this.skippedByFile.set(entry.file, { file: entry.file, errorName: error.name, message: error.message });
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Decodes every image once. With `onInvalidImage: 'skip'` this finds all invalid images up front (so
   * `skippedCount` is final); with `'error'` it throws on the first one.
   * @returns how many images are usable and how many were skipped.
   */
  async verify(): Promise<{ usable: number; skipped: number }> {
    let usable = 0;
    for (let index = 0; index < this.entries.length; index++) {
      if ((await this.loadOrSkip(index)) !== undefined) usable++;
    }
    if (usable === 0) throw new EmptyDatasetError({ folder: this.folder, skippedCount: this.skippedCount });
    return { usable, skipped: this.skippedCount };
  }

  /**
   * The batches of one epoch, in a seeded order (see `epochOrder`). Invalid images are skipped (policy `skip`) and
   * their place is taken by the next images of the order, so every batch but the last has `batchSize` images.
   *
   * @throws EmptyDatasetError when every image of the folder turned out invalid.
   */
  async *batches(options: ImageBatchesOptions): AsyncGenerator<ImageBatch> {
    const { batchSize, dropLast = false } = options;
    batchIndices(0, batchSize, options); // validates batchSize
    const order = epochOrder(this.entries.length, options);
    let position = 0;
    let usable = 0;
    while (position < order.length) {
      const images: RgbImage[] = [];
      const indices: number[] = [];
      while (images.length < batchSize && position < order.length) {
        const wanted = order.slice(position, position + (batchSize - images.length));
        position += wanted.length;
        // Decode in parallel, but report a failure deterministically: the first bad file in batch order.
        const settled = await Promise.allSettled(wanted.map((index) => this.loadOrSkip(index)));
        const failure = settled.find((result) => result.status === 'rejected');
        if (failure) throw failure.reason;
        const loaded = settled.map((result) => (result as PromiseFulfilledResult<RgbImage | undefined>).value);
        loaded.forEach((image, offset) => {
          if (image === undefined) return;
          usable++;
          images.push(image);
          indices.push(wanted[offset] as number);
        });
      }
      if (images.length === 0 || (images.length < batchSize && dropLast)) break;
      yield {
        images,
        indices,
        files: indices.map((index) => (this.entries[index] as ImageEntry).file),
        captions: indices.map((index) => (this.entries[index] as ImageEntry).caption),
      };
    }
    if (usable === 0) {
      throw new EmptyDatasetError({ folder: this.folder, skippedCount: this.skippedCount });
    }
  }
}

/**
 * Opens a folder of images (PNG, JPEG, WebP) with optional JSONL captions.
 *
 * @param folder - the dataset folder.
 * @throws MissingFileError when the folder, a named captions file, or (policy `error`) an image a caption refers to
 *   does not exist; CaptionsFileError for a bad captions line; EmptyDatasetError when the folder holds no image.
 */
export async function openImageFolder(folder: string, options: ImageFolderDatasetOptions = {}): Promise<ImageFolderDataset> {
  const { captionsFile, recursive = false, imageSize, nonRgb = 'convert', alphaBackground, onInvalidImage = 'error' } = options;
  if (onInvalidImage !== 'error' && onInvalidImage !== 'skip') {
    throw new InvalidArgumentError({ argument: 'options.onInvalidImage', message: `must be 'error' or 'skip', got ${String(onInvalidImage)}` });
  }
  const files = await listImageFiles(folder, recursive);
  let captionsPath: string | undefined;
  if (typeof captionsFile === 'string') {
    captionsPath = isAbsolute(captionsFile) ? captionsFile : join(folder, captionsFile);
    if (!existsSync(captionsPath)) throw new MissingFileError({ path: captionsPath });
  } else if (captionsFile === undefined && existsSync(join(folder, defaultCaptionsFileName))) {
    captionsPath = join(folder, defaultCaptionsFileName);
  }
  const captions = new Map<string, string>();
  const skipped: SkippedImage[] = [];
  if (captionsPath !== undefined) {
    const present = new Set(files);
    for (const line of await readCaptionsFile(captionsPath)) {
      if (!present.has(line.file)) {
        const imagePath = join(folder, line.file);
        if (existsSync(imagePath) && !isImageFileName(line.file)) {
          throw new CaptionsFileError({ path: captionsPath, line: line.line, message: `${line.file} is not a .png, .jpg, .jpeg or .webp file` });
        }
        const error = new MissingFileError({ path: imagePath, referencedBy: `${captionsPath} line ${line.line}` });
        if (onInvalidImage === 'error') throw error;
        skipped.push({ file: line.file, errorName: error.name, message: error.message });
        continue;
      }
      captions.set(line.file, line.caption);
    }
  }
  if (files.length === 0) throw new EmptyDatasetError({ folder, skippedCount: skipped.length });
  const size = typeof imageSize === 'number' ? { width: imageSize, height: imageSize } : imageSize;
  const entries = files.map((file) => ({ file, path: join(folder, file), caption: captions.get(file) }));
  return new ImageFolderDataset(folder, entries, {
    readOptions: { nonRgb, alphaBackground, resize: size },
    onInvalidImage,
    skipped,
  });
}
