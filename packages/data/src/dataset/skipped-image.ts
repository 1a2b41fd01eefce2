/** An image the dataset skipped (with `onInvalidImage: 'skip'`), and why. */
export interface SkippedImage {
  /** Path relative to the dataset folder. */
  readonly file: string;
  /** The error's stable name, e.g. `RECA_ImageDecodeError`, `RECA_NonRgbImageError`, `RECA_MissingFileError`. */
  readonly errorName: string;
  /** The error's message (names the file and the problem). */
  readonly message: string;
}
