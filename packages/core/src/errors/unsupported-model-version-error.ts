import { RecaError } from '@reca/runtime';

const name = 'RECA_UnsupportedModelVersionError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** A model implements a `specificationVersion` this version of @reca/core does not know. */
export class UnsupportedModelVersionError extends RecaError {
  private readonly [symbol] = true;
  readonly version: unknown;
  readonly supportedVersions: readonly string[];

  constructor({ version, modelId, supportedVersions }: { version: unknown; modelId: unknown; supportedVersions: readonly string[] }) {
    super({
      name,
      message:
        `Model '${String(modelId)}' implements specification version ${JSON.stringify(version)}; ` +
        `@reca/core supports ${supportedVersions.map((supported) => `'${supported}'`).join(', ')}`,
    });
    this.version = version;
    this.supportedVersions = supportedVersions;
  }

  static override isInstance(error: unknown): error is UnsupportedModelVersionError {
    return RecaError.hasMarker(error, marker);
  }
}
