import { RecaError } from '@reca/runtime';

const name = 'RECA_EmptyDatasetError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A dataset folder holds no usable image: none at all, or every one was skipped as invalid. */
export class EmptyDatasetError extends RecaError {
  private readonly [symbol] = true;
  /** The dataset folder. */
  readonly folder: string;
  /** How many image files were found but skipped as invalid (0 when the folder holds no image file at all). */
  readonly skippedCount: number;

  constructor({ folder, skippedCount = 0 }: { folder: string; skippedCount?: number }) {
    super({
      name,
      message:
        skippedCount > 0
          ? `dataset folder ${folder} has no usable image: all ${skippedCount} image file(s) were skipped as invalid`
          : `dataset folder ${folder} holds no image file (.png, .jpg, .jpeg, .webp)`,
    });
    this.folder = folder;
    this.skippedCount = skippedCount;
  }

  static override isInstance(error: unknown): error is EmptyDatasetError {
    return RecaError.hasMarker(error, marker);
  }
}
