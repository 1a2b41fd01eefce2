import { RecaError } from '@reca/runtime';

const name = 'RECA_SafetensorsFormatError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** What is wrong with a safetensors file; stable codes for programs, the message says it in words. */
export type SafetensorsFormatProblem =
  | 'file-too-short'
  | 'header-length-out-of-range'
  | 'header-not-utf8'
  | 'header-not-json'
  | 'header-not-object'
  | 'duplicate-name'
  | 'invalid-metadata'
  | 'invalid-tensor-entry'
  | 'unknown-dtype'
  | 'size-mismatch'
  | 'overlapping-offsets'
  | 'gap-in-data'
  | 'out-of-bounds'
  | 'trailing-bytes';

/**
 * Bytes that claim to be a safetensors file break the format. Carries the source (a file path or a caller-given label),
 * the tensor concerned when there is one, and a problem code.
 */
export class SafetensorsFormatError extends RecaError {
  private readonly [symbol] = true;
  /** File path, or the `source` label given to `decodeSafetensors`. */
  readonly source: string;
  /** Name of the tensor whose entry is wrong; `undefined` when the problem is not tied to one tensor. */
  readonly tensorName: string | undefined;
  readonly problem: SafetensorsFormatProblem;
  /** The description without the source prefix. */
  readonly detail: string;

  constructor({
    source,
    tensorName,
    problem,
    detail,
    cause,
  }: {
    source: string;
    tensorName?: string;
    problem: SafetensorsFormatProblem;
    detail: string;
    cause?: unknown;
  }) {
    const where = tensorName === undefined ? '' : `, tensor '${tensorName}'`;
    super({ name, message: `Invalid safetensors data in '${source}'${where}: ${detail}`, cause });
    this.source = source;
    this.tensorName = tensorName;
    this.problem = problem;
    this.detail = detail;
  }

  static override isInstance(error: unknown): error is SafetensorsFormatError {
    return RecaError.hasMarker(error, marker);
  }
}
