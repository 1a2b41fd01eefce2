import { RecaError } from '@reca/runtime';

const name = 'RECA_UnsupportedCheckpointVersionError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A training checkpoint was written in a format version this library cannot read (usually a newer one). */
export class UnsupportedCheckpointVersionError extends RecaError {
  private readonly [symbol] = true;
  readonly path: string;
  /** The `format_version` found in the file's metadata. */
  readonly foundVersion: string;
  readonly supportedVersions: readonly string[];

  constructor({ path, foundVersion, supportedVersions }: { path: string; foundVersion: string; supportedVersions: readonly string[] }) {
    super({
      name,
      message: `Checkpoint '${path}' has format version '${foundVersion}'; this library reads version(s) ${supportedVersions
        .map((version) => `'${version}'`)
        .join(', ')}`,
    });
    this.path = path;
    this.foundVersion = foundVersion;
    this.supportedVersions = supportedVersions;
  }

  static override isInstance(error: unknown): error is UnsupportedCheckpointVersionError {
    return RecaError.hasMarker(error, marker);
  }
}
