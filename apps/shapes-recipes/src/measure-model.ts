import { loadAutoregressiveUmmFromCheckpoint } from '@reca/adapter-autoregressive';
import { loadDiffusionUmmFromCheckpoint } from '@reca/adapter-diffusion';
import { loadMaskedAutoregressiveUmmFromCheckpoint } from '@reca/adapter-masked-autoregressive';
import { degradeImages, disposeCondition, readModelCheckpointInfo, type UnifiedMultimodalModelV1 } from '@reca/core';
import { tf } from '@reca/runtime';
import { generateSceneExample, splitShapesWorldWords } from '@reca/shapes-world';
import type { UnderstandingStack } from '@reca/understanding';

/** Understanding and reconstruction measurements of one model. */
export interface ModelMeasurements {
  /** Fraction of held-out scenes whose greedy caption equals the dense caption word for word. */
  readonly captionExact: number;
  /** Mean PSNR (dB, peak 1) of RecA reconstructions: the image regenerated from its own bottlenecked understanding condition. */
  readonly reconstructionPsnr: number;
}

type ModelWithStack = UnifiedMultimodalModelV1 & { readonly stack: UnderstandingStack };

/** Loads any model checkpoint of the three families. The caller disposes it. */
export async function loadAnyModel(path: string): Promise<ModelWithStack> {
  const info = await readModelCheckpointInfo(path);
  if (info.family === 'diffusion') return loadDiffusionUmmFromCheckpoint(path);
  if (info.family === 'masked-autoregressive') return loadMaskedAutoregressiveUmmFromCheckpoint(path);
  return loadAutoregressiveUmmFromCheckpoint(path);
}

const normalize = (text: string) => splitShapesWorldWords(text).join(' ');

/**
 * Caption exactness (I2T: greedy captions of `count` held-out scenes of dataset `seed` against their dense captions)
 * and reconstruction fidelity (PSNR of the RecA task: condition = "Describe the image in detail." + the model's own
 * understanding embeddings of the image resized to its minimum understanding resolution, sampled without guidance).
 */
export async function measureModel(path: string, { count, seed, batchSize = 32 }: { count: number; seed: number; batchSize?: number }): Promise<ModelMeasurements> {
  const model = await loadAnyModel(path);
  try {
    const examples = Array.from({ length: count }, (_, index) => generateSceneExample(index, { seed }));
    let exact = 0;
    let psnrSum = 0;
    for (let start = 0; start < count; start += batchSize) {
      const batch = examples.slice(start, start + batchSize);
      const size = model.imageSize;
      const images = tf.tensor4d(Float32Array.from(batch.flatMap((example) => Array.from(example.image.data, (value) => value / 255))), [batch.length, size, size, 3]);
      const embeddings = tf.tidy(() => model.doEncodeUnderstanding({ images, training: false }));
      const maxLength = model.stack.captionDecoder.config.maxCaptionLength ?? 32;
      const captions = model.stack.captionDecoder.generate(embeddings, { maxLength }).map((ids) => model.tokenizer.decode(ids));
      embeddings.dispose();
      captions.forEach((caption, index) => {
        if (normalize(caption) === normalize(batch[index]?.record.dense ?? '')) exact += 1;
      });
      const degraded = degradeImages(images, { type: 'resize' }, model.understanding.minimumImageSize);
      const understanding = tf.tidy(() => model.doEncodeUnderstanding({ images: degraded, training: false }));
      const condition = model.doBuildCondition({
        texts: batch.map(() => 'Describe the image in detail.'),
        understandingEmbeddings: understanding,
        dropText: undefined,
        dropUnderstanding: undefined,
        training: false,
      });
      const sample = await model.doSample({ condition, unconditionalCondition: undefined, guidanceScale: 1, steps: undefined, seed: seed + start, temperature: undefined, adapterOptions: undefined });
      const psnr = tf.tidy(() => {
        const meanSquared = tf.mean(tf.squaredDifference(tf.clipByValue(sample.images, 0, 1), images), [1, 2, 3]);
        return tf.mul(-10 / Math.LN10, tf.log(tf.maximum(meanSquared, 1e-10)));
      });
      psnrSum += Array.from(await psnr.data()).reduce((sum, value) => sum + value, 0);
      disposeCondition(condition);
      tf.dispose([images, degraded, understanding, sample.images, psnr]);
    }
    return { captionExact: exact / count, reconstructionPsnr: psnrSum / count };
  } finally {
    model.dispose();
  }
}
