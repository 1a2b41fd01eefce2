import { degradeImages, disposeCondition, type UnifiedMultimodalModelV1 } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';

/** What the demo measures on held-out scenes. Lower is better for all three. */
export interface DemoEvaluation {
  /** RecA's own task: MSE of images generated from the understanding embeddings of their degraded copies. */
  reconstructionError: number;
  /** Prompt following: MSE of images generated from the dense captions (text only) against the true images. */
  textToImageError: number;
  /** Understanding: the image-to-text loss on the dense captions. */
  understandingLoss: number;
}

async function generate(
  model: UnifiedMultimodalModelV1,
  texts: readonly string[],
  understandingEmbeddings: tf.Tensor3D | undefined,
): Promise<tf.Tensor4D> {
  const condition = model.doBuildCondition({ texts, understandingEmbeddings, dropText: undefined, dropUnderstanding: undefined, training: false });
  try {
    const { images } = await model.doSample({
      condition,
      unconditionalCondition: undefined,
      guidanceScale: 1,
      steps: undefined,
      seed: 0,
      temperature: undefined,
      adapterOptions: undefined,
    });
    return images;
  } finally {
    disposeCondition(condition);
  }
}

async function meanSquaredErrorOf(left: tf.Tensor, right: tf.Tensor): Promise<number> {
  const error = tf.tidy(() => tf.mean(tf.squaredDifference(left, right)));
  const value = (await error.data())[0] as number;
  error.dispose();
  return value;
}

/** Evaluates a model on held-out scenes (no gradient, no tensors left behind). */
export async function evaluateModel(
  model: UnifiedMultimodalModelV1,
  images: tf.Tensor4D,
  captions: readonly string[],
): Promise<DemoEvaluation> {
  const instruction = 'Describe the image in detail.';
  const degraded = degradeImages(images, { type: 'resize' }, model.understanding.minimumImageSize);
  const embeddings = model.doEncodeUnderstanding({ images: degraded, training: false });
  const reconstructed = await generate(model, captions.map(() => instruction), embeddings);
  const fromText = await generate(model, captions, undefined);
  const understanding = model.doUnderstandingLoss?.({ images, captions, random: new SeededRandom(0) });
  try {
    return {
      reconstructionError: await meanSquaredErrorOf(reconstructed, images),
      textToImageError: await meanSquaredErrorOf(fromText, images),
      understandingLoss: understanding ? ((await understanding.loss.data())[0] as number) : Number.NaN,
    };
  } finally {
    tf.dispose([degraded, embeddings, reconstructed, fromText, understanding?.loss]);
  }
}
