import { createRecaTrainingState, recaStep, type UnifiedModelV1EncodeUnderstandingOptions } from '@reca/core';
import { MockUnifiedModel } from '@reca/core/test';
import { InvalidArgumentError, SeededRandom, tf } from '@reca/runtime';
import { Projector, VisionTransformerEncoder, visionTransformerPresets } from '@reca/understanding';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights } from '../__fixtures__/randomize-weights.js';
import { relativeError } from '../__fixtures__/relative-error.js';
import { seededImages } from '../__fixtures__/seeded-images.js';
import { OnnxUnderstandingEncoder } from '../encoder/onnx-understanding-encoder.js';
import { OnnxModelMismatchError } from '../errors/onnx-model-mismatch-error.js';
import { UnderstandingNotPrecomputedError } from '../errors/understanding-not-precomputed-error.js';
import { exportVisionTransformerToOnnx } from '../export/export-vision-transformer-to-onnx.js';
import { createOnnxEncodeUnderstanding } from './create-onnx-encode-understanding.js';
import { OnnxUnderstandingModel, withOnnxUnderstanding } from './onnx-understanding-model.js';
import { recaStepWithOnnxUnderstanding } from './reca-step-with-onnx-understanding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** The understanding side of a frozen, decoupled model: a tiny ViT and its projector, random but seeded. */
function frozenUnderstanding(seed: number) {
  const random = new SeededRandom(seed);
  const vision = new VisionTransformerEncoder(visionTransformerPresets.tiny, random);
  const projector = new Projector({ inFeatures: 16, outFeatures: 16, random });
  randomizeWeights(vision, random.fork('vision'));
  randomizeWeights(projector, random.fork('projector'));
  return { vision, projector };
}

/**
 * The core test double with a real (frozen) ViT understanding side: 16 px generator, 8 px understanding images
 * (the resize bottleneck's size), embeddings of width 16.
 */
class VisionMockModel extends MockUnifiedModel {
  readonly vision: VisionTransformerEncoder;
  readonly projector: Projector;

  constructor(seed: number) {
    super({ imageSize: 16, width: 16, understandingGrid: 8, understandingTrainable: false, seed });
    ({ vision: this.vision, projector: this.projector } = frozenUnderstanding(seed));
  }

  override doEncodeUnderstanding({ images }: UnifiedModelV1EncodeUnderstandingOptions): tf.Tensor3D {
    return tf.tidy(() => this.projector.forward(this.vision.forward(images)) as tf.Tensor3D);
  }

  override dispose(): void {
    super.dispose();
    this.vision.dispose();
    this.projector.dispose();
  }
}

async function onnxEncoderFor(model: VisionMockModel, withProjector: boolean): Promise<OnnxUnderstandingEncoder> {
  // Exported at the bottleneck size recaStep feeds (the mock's minimumImageSize, 8 px).
  const exported = exportVisionTransformerToOnnx(model.vision, { imageSize: 8, ...(withProjector ? { projector: model.projector } : {}) });
  return OnnxUnderstandingEncoder.create({ model: exported.bytes, modelName: 'mock-vit.onnx', ...exported.encoderOptions });
}

describe('withOnnxUnderstanding in recaStep', () => {
  it('gives the same losses, gradient norms and weights as the tfjs encoder, step after step, without leaking tensors', async () => {
    const reference = new VisionMockModel(3);
    const wrapped = new VisionMockModel(3);
    const encoder = await onnxEncoderFor(wrapped, true);
    const model = withOnnxUnderstanding(wrapped, { encoder });
    const config = { bottleneck: { type: 'resize' as const }, optimizer: { learningRate: 1e-2 }, schedule: { type: 'constant' as const, warmupSteps: 0 } };
    const referenceState = createRecaTrainingState({ model: reference, config, seed: 9 });
    const onnxState = createRecaTrainingState({ model, config, seed: 9 });
    const random = new SeededRandom('batches');
    for (let step = 0; step < 3; step++) {
      const images = seededImages(random, 4, 16);
      const input = { batches: [{ kind: 'reconstruction' as const, images }, { kind: 'reconstruction' as const, images: tf.reverse(images, 2) as tf.Tensor4D }] };
      const referenceBefore = tf.memory().numTensors;
      const expected = await recaStep(referenceState, input);
      const referenceGrowth = tf.memory().numTensors - referenceBefore; // AdamW's moments on the first step, then 0
      const before = tf.memory().numTensors;
      const actual = await recaStepWithOnnxUnderstanding(onnxState, input);
      expect(tf.memory().numTensors - before).toBe(referenceGrowth);
      if (step > 0) expect(referenceGrowth).toBe(0);
      expect(model.precomputedCount).toBe(0);
      expect(Math.abs(actual.loss - expected.loss) / Math.abs(expected.loss)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(actual.gradientNorm - expected.gradientNorm) / expected.gradientNorm).toBeLessThanOrEqual(1e-4);
      tf.dispose(input.batches.map((batch) => batch.images));
    }
    const expectedWeights = reference.namedWeights();
    const actualWeights = model.namedWeights();
    for (const name of ['generator.queries', 'generator.head.weight', 'text.embed_tokens.weight']) {
      expect(relativeError(actualWeights[name]?.dataSync() ?? [], expectedWeights[name]?.dataSync() ?? []), name).toBeLessThanOrEqual(1e-4);
    }
    // The steps really trained something (the comparison above is not between untouched weights).
    const untouched = new VisionMockModel(3);
    expect(relativeError(actualWeights['generator.queries']?.dataSync() ?? [], untouched.namedWeights()['generator.queries']?.dataSync() ?? [])).toBeGreaterThan(1e-3);
    for (const disposable of [reference, model, untouched, referenceState, onnxState]) disposable.dispose();
    await encoder.dispose();
  });

  it('works in plain recaStep through doEncodeUnderstandingAsync (no precomputation), matching the tfjs encoder', async () => {
    const reference = new VisionMockModel(4);
    const wrapped = new VisionMockModel(4);
    const encoder = await onnxEncoderFor(wrapped, true);
    const model = withOnnxUnderstanding(wrapped, { encoder });
    const config = { bottleneck: { type: 'resize' as const }, optimizer: { learningRate: 1e-2 }, schedule: { type: 'constant' as const, warmupSteps: 0 } };
    const referenceState = createRecaTrainingState({ model: reference, config, seed: 5 });
    const onnxState = createRecaTrainingState({ model, config, seed: 5 });
    const images = seededImages(new SeededRandom('plain'), 4, 16);
    for (let step = 0; step < 2; step++) {
      const expected = await recaStep(referenceState, { batches: [{ kind: 'reconstruction', images }] });
      const actual = await recaStep(onnxState, { batches: [{ kind: 'reconstruction', images }] });
      expect(model.precomputedCount).toBe(0);
      expect(Math.abs(actual.loss - expected.loss) / Math.abs(expected.loss)).toBeLessThanOrEqual(1e-4);
    }
    images.dispose();
    for (const disposable of [reference, model, referenceState, onnxState]) disposable.dispose();
    await encoder.dispose();
  });

  it('declares a stopped, unshared understanding gradient and forwards the rest of the contract', async () => {
    const inner = new VisionMockModel(4);
    const encoder = await onnxEncoderFor(inner, true);
    const model = withOnnxUnderstanding(inner, { encoder });
    expect(model).toBeInstanceOf(OnnxUnderstandingModel);
    expect(model.understanding).toEqual({ ...inner.understanding, gradientPolicy: { type: 'stop' }, sharedWithGeneration: false });
    expect([model.modelId, model.family, model.imageSize, model.nullPrompt]).toEqual([inner.modelId, inner.family, inner.imageSize, inner.nullPrompt]);
    expect(model.trainableVariables().map(([name]) => name)).toEqual(inner.trainableVariables().map(([name]) => name));
    expect(typeof model.doUnderstandingLoss).toBe('function');
    model.dispose();
    await encoder.dispose();
  });

  it('refuses embeddings nobody precomputed, a scale policy, a foreign state, and a width the model does not read', async () => {
    const inner = new VisionMockModel(5);
    const encoder = await onnxEncoderFor(inner, true);
    const model = withOnnxUnderstanding(inner, { encoder });
    const images = seededImages(new SeededRandom('miss'), 2, 8);
    expect(() => model.doEncodeUnderstanding({ images, training: true })).toThrow(UnderstandingNotPrecomputedError);
    expect(() => model.doEncodeUnderstanding({ images, training: true })).toThrow(/no precomputed understanding embeddings for tensor 'images' of shape \[2, 8, 8, 3\]/);
    await model.precomputeUnderstanding(images);
    const hit = model.doEncodeUnderstanding({ images, training: true });
    const expected = inner.doEncodeUnderstanding({ images, training: false });
    expect(relativeError(hit.dataSync(), expected.dataSync())).toBeLessThanOrEqual(1e-4);
    const shifted = tf.add(images, 1e-3) as tf.Tensor4D; // one different pixel value is another batch
    expect(() => model.doEncodeUnderstanding({ images: shifted, training: true })).toThrow(UnderstandingNotPrecomputedError);

    const input = { batches: [{ kind: 'reconstruction' as const, images: seededImages(new SeededRandom('x'), 2, 16) }] };
    const scaleState = createRecaTrainingState({ model, config: { understandingGradient: { type: 'scale', scale: 0.1 } } });
    await expect(model.precomputeForRecaStep(scaleState, input)).rejects.toThrow(/must be \{ type: 'stop' \} with a frozen ONNX understanding encoder/);
    const foreignState = createRecaTrainingState({ model: inner });
    await expect(model.precomputeForRecaStep(foreignState, input)).rejects.toThrow(InvalidArgumentError);
    await expect(recaStepWithOnnxUnderstanding(foreignState, input)).rejects.toThrow(/must be an OnnxUnderstandingModel/);

    // Without the projector the ONNX encoder gives ViT tokens of width 16 as well; a projector to width 8 does not fit.
    const narrow = new Projector({ inFeatures: 16, outFeatures: 8, random: new SeededRandom(0) });
    const tokensOnly = await onnxEncoderFor(inner, false);
    const mismatched = withOnnxUnderstanding(inner, { encoder: tokensOnly, projector: narrow });
    await expect(mismatched.precomputeUnderstanding(images)).rejects.toThrow(OnnxModelMismatchError);
    await expect(mismatched.precomputeUnderstanding(images)).rejects.toThrow(/expected embeddings of width 16 .* after the projector, got shape \[2, 4, 8\]/);

    tf.dispose([images, hit, expected, shifted, input.batches[0]?.images]);
    scaleState.dispose();
    foreignState.dispose();
    narrow.dispose();
    model.dispose();
    await encoder.dispose();
    await tokensOnly.dispose();
  });
});

describe('createOnnxEncodeUnderstanding', () => {
  it('is the asynchronous doEncodeUnderstanding: ONNX ViT tokens through a frozen tfjs projector', async () => {
    const inner = new VisionMockModel(6);
    const encoder = await onnxEncoderFor(inner, false);
    const encodeUnderstanding = createOnnxEncodeUnderstanding(encoder, { projector: inner.projector });
    const images = seededImages(new SeededRandom('async'), 3, 8);
    const before = tf.memory().numTensors;
    const embeddings = await encodeUnderstanding({ images, training: false });
    expect(tf.memory().numTensors).toBe(before + 1);
    const expected = inner.doEncodeUnderstanding({ images, training: false });
    expect(embeddings.shape).toEqual([3, 4, 16]);
    expect(relativeError(embeddings.dataSync(), expected.dataSync())).toBeLessThanOrEqual(1e-4);
    const wrapped = withOnnxUnderstanding(inner, { encoder, projector: inner.projector });
    const direct = await wrapped.doEncodeUnderstandingAsync({ images, training: false });
    expect(Array.from(direct.dataSync())).toEqual(Array.from(embeddings.dataSync()));
    tf.dispose([images, embeddings, expected, direct]);
    wrapped.dispose();
    await encoder.dispose();
  });
});
