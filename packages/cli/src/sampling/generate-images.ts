import { type UnifiedMultimodalModelV1, disposeCondition } from '@reca/core';
import type { RgbImage } from '@reca/data';
import { tensorToImages } from '@reca/data';
import { SeededRandom } from '@reca/runtime';

/** Options of {@link generateImages}. */
export interface GenerateImagesOptions {
  /** Classifier-free guidance scale against the null prompt; 1 = none. */
  guidanceScale: number;
  /** Sampler steps; undefined = the model's default. */
  steps: number | undefined;
  /** Seed of all draws; batch b samples with `new SeededRandom(seed).fork('batch-' + b).nextUint32()`. */
  seed: number;
  /** Images generated per model call. */
  batchSize: number;
  /** Called after each batch with the number of images done. */
  onBatch?: (done: number) => void;
}

/**
 * Generates one image per text from text conditions (the empty text is the model's null prompt: unconditional
 * samples). Deterministic in (texts, seed, batchSize).
 *
 * @returns one RGB image per text at the model's native resolution.
 */
export async function generateImages(model: UnifiedMultimodalModelV1, texts: readonly string[], options: GenerateImagesOptions): Promise<RgbImage[]> {
  const { guidanceScale, steps, seed, batchSize, onBatch } = options;
  const random = new SeededRandom(seed);
  const images: RgbImage[] = [];
  for (let start = 0, batch = 0; start < texts.length; start += batchSize, batch++) {
    const batchTexts = texts.slice(start, start + batchSize);
    const common = { understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false };
    const condition = model.doBuildCondition({ texts: batchTexts, ...common });
    const unconditionalCondition = guidanceScale === 1 ? undefined : model.doBuildCondition({ texts: batchTexts.map(() => ''), ...common });
    try {
      const result = await model.doSample({
        condition,
        unconditionalCondition,
        guidanceScale,
        steps,
        seed: random.fork(`batch-${batch}`).nextUint32(),
        temperature: undefined,
        adapterOptions: undefined,
      });
      try {
        images.push(...(await tensorToImages(result.images)));
      } finally {
        result.images.dispose();
      }
    } finally {
      disposeCondition(condition);
      if (unconditionalCondition) disposeCondition(unconditionalCondition);
    }
    onBatch?.(images.length);
  }
  return images;
}
