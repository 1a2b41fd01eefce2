import { RecaError } from '@reca/runtime';

const name = 'RECA_ImageDecodeError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Why an image file could not be decoded: not an image format we read (`unsupported-format`), cut off before its end
 * (`truncated`), or damaged in some other way (`corrupt`).
 */
export type ImageDecodeFailure = 'unsupported-format' | 'truncated' | 'corrupt';

/** An image file exists but cannot be decoded. Names the file, the kind of failure and the decoder's own message. */
export class ImageDecodeError extends RecaError {
  private readonly [symbol] = true;
  /** The image file. */
  readonly path: string;
  readonly failure: ImageDecodeFailure;
  /** The decoder's (libvips') message. */
  readonly detail: string;

  constructor({ path, failure, detail, cause }: { path: string; failure: ImageDecodeFailure; detail: string; cause?: unknown }) {
    const what =
      failure === 'unsupported-format'
        ? 'is not a PNG, JPEG or WebP image'
        : failure === 'truncated'
          ? 'is truncated (the file ends before the image data does)'
          : 'is corrupt';
    super({ name, message: `image ${path} ${what}: ${detail}`, cause });
    this.path = path;
    this.failure = failure;
    this.detail = detail;
  }

  static override isInstance(error: unknown): error is ImageDecodeError {
    return RecaError.hasMarker(error, marker);
  }
}
