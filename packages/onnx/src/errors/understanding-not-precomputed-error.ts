import { RecaError } from '@reca/runtime';

const name = 'RECA_UnderstandingNotPrecomputedError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A model whose understanding path is an asynchronous (ONNX Runtime) encoder was asked, synchronously, for the
 * embeddings of images that were not precomputed. Call `precomputeUnderstanding` (or `precomputeForRecaStep`) with
 * exactly these images first, or use `recaStepWithPrecomputedUnderstanding`.
 */
export class UnderstandingNotPrecomputedError extends RecaError {
  private readonly [symbol] = true;
  readonly modelId: string;
  /** Shape of the images that were asked for. */
  readonly imagesShape: readonly number[];

  constructor({ modelId, imagesShape, precomputedCount }: { modelId: string; imagesShape: readonly number[]; precomputedCount: number }) {
    super({
      name,
      message:
        `model '${modelId}': no precomputed understanding embeddings for tensor 'images' of shape [${imagesShape.join(', ')}] ` +
        `(${precomputedCount} batch(es) precomputed, none with exactly these pixels). ONNX Runtime is asynchronous and ` +
        'doEncodeUnderstanding is synchronous: await precomputeUnderstanding(images) (or precomputeForRecaStep(state, input)) first',
    });
    this.modelId = modelId;
    this.imagesShape = imagesShape;
  }

  static override isInstance(error: unknown): error is UnderstandingNotPrecomputedError {
    return RecaError.hasMarker(error, marker);
  }
}
