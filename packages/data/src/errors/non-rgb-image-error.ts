import { RecaError } from '@reca/runtime';

const name = 'RECA_NonRgbImageError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * An image is not plain 8-bit RGB (greyscale, with an alpha channel, palette-based or in another colour space) and the
 * reader was told not to convert it (`nonRgb: 'error'`).
 */
export class NonRgbImageError extends RecaError {
  private readonly [symbol] = true;
  /** The image file. */
  readonly path: string;
  /** What the image is instead, e.g. `greyscale (1 channel)`, `RGB with alpha (4 channels)`, `palette-based`. */
  readonly layout: string;

  constructor({ path, layout }: { path: string; layout: string }) {
    super({
      name,
      message: `image ${path} is ${layout}, expected RGB (3 channels, no alpha, no palette); pass nonRgb: 'convert' to convert it`,
    });
    this.path = path;
    this.layout = layout;
  }

  static override isInstance(error: unknown): error is NonRgbImageError {
    return RecaError.hasMarker(error, marker);
  }
}
