import { measureTensorLeak, ShapeMismatchError, SeededRandom, tf } from '@reca/runtime';
import { makeConformanceImages } from './make-conformance-images.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recaStep } from '../reca-step/reca-step.js';
import { createRecaTrainingState } from '../reca-step/reca-training-state.js';
import type { RecaConfigInput } from '../reca-step/reca-config.js';
import { disposeCondition } from '../unified-model/v1/unified-model-v1-condition.js';
import type { UnifiedMultimodalModelV1 } from '../unified-model/v1/unified-model-v1.js';

/** Options of {@link describeUnifiedModelConformance}. */
export interface UnifiedModelConformanceOptions {
  /** Creates a fresh model; called several times. The same `seed` must give the same weights. */
  createModel: (seed: number) => UnifiedMultimodalModelV1 | Promise<UnifiedMultimodalModelV1>;
  /** Batch size of the test batches. @default 2 */
  batchSize?: number;
  /** RecA configuration used by the training checks. @default a higher learning rate (1e-2) and no warmup */
  recaConfig?: RecaConfigInput;
  /** Steps of the "loss falls" check on one fixed batch. @default 30 */
  trainingSteps?: number;
  /** Required relative fall of the reconstruction loss over `trainingSteps`. @default 0.1 (10 %) */
  minimumRelativeFall?: number;
  /** Tensor backend to run on. @default 'cpu' */
  backend?: string;
  /** Captions of the alignment check (cycled over the batch; the model's tokenizer must know their words). */
  captions?: readonly string[];
}

/**
 * The conformance suite every adapter runs (`describeUnifiedModelConformance('diffusion tiny', { createModel })`):
 * the spec's shapes and ownership rules, the gradient policy, recaStep's memory discipline, the optional alignment
 * micro-batch, a falling loss on a tiny problem, deterministic initialisation, weight round trips, sampling and bad-input errors.
 */
export function describeUnifiedModelConformance(name: string, options: UnifiedModelConformanceOptions): void {
  const batchSize = options.batchSize ?? 2;
  const recaConfig: RecaConfigInput = options.recaConfig ?? {
    optimizer: { learningRate: 1e-2, weightDecay: 0 },
    schedule: { type: 'constant', warmupSteps: 0 },
  };

  describe(`UnifiedMultimodalModelV1 conformance: ${name}`, () => {
    let model: UnifiedMultimodalModelV1;
    let images: tf.Tensor4D;

    beforeAll(async () => {
      await tf.setBackend(options.backend ?? 'cpu');
      await tf.ready();
      model = await options.createModel(0);
      images = makeConformanceImages(batchSize, model.imageSize, 1);
    });
    afterAll(() => {
      images?.dispose();
      model?.dispose();
    });

    it('declares specification v1 and a consistent understanding side', () => {
      expect(model.specificationVersion).toBe('v1');
      expect(['autoregressive', 'masked-autoregressive', 'diffusion', 'mock']).toContain(model.family);
      expect(model.understanding.minimumImageSize).toBeLessThanOrEqual(model.understanding.imageSize);
      expect(model.understanding.embeddingWidth).toBeGreaterThan(0);
      expect(model.trainableVariables().length).toBeGreaterThan(0);
    });

    it('encodes understanding embeddings at the bottleneck resolution as [batch, tokens, embeddingWidth]', () => {
      const small = tf.image.resizeBilinear(images, [model.understanding.minimumImageSize, model.understanding.minimumImageSize]);
      const embeddings = model.doEncodeUnderstanding({ images: small as tf.Tensor4D, training: false });
      expect(embeddings.shape[0]).toBe(batchSize);
      expect(embeddings.shape[2]).toBe(model.understanding.embeddingWidth);
      expect(Array.from(embeddings.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([small, embeddings]);
    });

    it('builds text and RecA conditions of the same kind (same width, same layout)', () => {
      const embeddings = model.doEncodeUnderstanding({ images, training: false });
      const texts = Array.from({ length: batchSize }, () => 'describe the image in detail.');
      const reca = model.doBuildCondition({ texts, understandingEmbeddings: embeddings, dropText: undefined, dropUnderstanding: undefined, training: false });
      const text = model.doBuildCondition({ texts, understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
      expect(reca.embeddings.shape[0]).toBe(batchSize);
      expect(reca.embeddings.shape[2]).toBe(text.embeddings.shape[2]);
      expect(reca.layout).toBe(text.layout);
      expect(reca.mask.shape).toEqual(reca.embeddings.shape.slice(0, 2));
      disposeCondition(reca);
      disposeCondition(text);
      embeddings.dispose();
    });

    it('returns a finite scalar generation loss that is reproducible for the same random state', () => {
      const lossOf = () =>
        tf.tidy(() => {
          const condition = model.doBuildCondition({ texts: Array(batchSize).fill('a red image'), understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: true });
          return model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(5), adapterOptions: undefined }).loss;
        });
      const first = lossOf();
      const second = lossOf();
      expect(first.rank).toBe(0);
      expect(Number.isFinite(first.dataSync()[0])).toBe(true);
      expect(second.dataSync()[0]).toBeCloseTo(first.dataSync()[0] as number, 6);
      tf.dispose([first, second]);
    });

    it('respects the understanding gradient policy in recaStep', async () => {
      const probe = await options.createModel(3);
      const state = createRecaTrainingState({ model: probe, config: { ...recaConfig, understandingGradient: { type: 'stop' } }, seed: 1 });
      const prefixes = probe.understanding.parameterPrefixes;
      const before = probe
        .trainableVariables()
        .filter(([parameterName]) => prefixes.some((prefix) => parameterName.startsWith(prefix)))
        .map(([parameterName, variable]) => [parameterName, variable.dataSync().slice()] as const);
      await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
      for (const [parameterName, values] of before) {
        const variable = probe.trainableVariables().find(([candidate]) => candidate === parameterName)?.[1];
        expect(Array.from(variable?.dataSync() ?? []), `${parameterName} changed despite the stopped gradient`).toEqual(Array.from(values));
      }
      state.dispose();
      probe.dispose();
    });

    it('runs recaStep without leaking tensors across steps and returns plain numbers', async () => {
      const probe = await options.createModel(4);
      const state = createRecaTrainingState({ model: probe, config: recaConfig, seed: 2 });
      await recaStep(state, { batches: [{ kind: 'reconstruction', images }] }); // creates optimizer moments
      const { result, leaked } = await measureTensorLeak(async () => {
        let last;
        for (let step = 0; step < 3; step++) last = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
        return last;
      });
      expect(leaked).toBe(0);
      expect(typeof result?.loss).toBe('number');
      expect(typeof result?.gradientNorm).toBe('number');
      expect(result?.step).toBe(4);
      state.dispose();
      probe.dispose();
    });

    it('trains an alignment micro-batch beside reconstruction, when the model has doAlignmentLoss, without leaking', async (context) => {
      if (!model.doAlignmentLoss) context.skip(); // optional in the contract
      const probe = await options.createModel(5);
      const captionPool = options.captions ?? ['a red circle.', 'a blue square.'];
      const captions = Array.from({ length: batchSize }, (_, index) => captionPool[index % captionPool.length] as string);
      const config: RecaConfigInput = { ...recaConfig, lossWeights: { reconstruction: 1, alignment: 0.5 } };
      const state = createRecaTrainingState({ model: probe, config, seed: 5 });
      const batches = [{ kind: 'reconstruction' as const, images }, { kind: 'alignment' as const, images, captions }];
      await recaStep(state, { batches }); // creates optimizer moments
      const { result, leaked } = await measureTensorLeak(() => recaStep(state, { batches }));
      expect(leaked).toBe(0);
      expect(Number.isFinite(result.losses.alignment)).toBe(true);
      expect(result.loss).toBeCloseTo(((result.losses.reconstruction as number) + 0.5 * (result.losses.alignment as number)) / 2, 5);
      state.dispose();
      probe.dispose();
    });

    it('lowers the reconstruction loss on a tiny fixed batch', async () => {
      const probe = await options.createModel(6);
      const state = createRecaTrainingState({ model: probe, config: recaConfig, seed: 3 });
      const losses: number[] = [];
      for (let step = 0; step < (options.trainingSteps ?? 30); step++) {
        const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
        losses.push(result.losses.reconstruction as number);
      }
      const head = losses.slice(0, 3).reduce((sum, value) => sum + value, 0) / 3;
      const tail = losses.slice(-3).reduce((sum, value) => sum + value, 0) / 3;
      expect(tail, `losses: ${losses.map((value) => value.toFixed(4)).join(' ')}`).toBeLessThan(head * (1 - (options.minimumRelativeFall ?? 0.1)));
      state.dispose();
      probe.dispose();
    });

    it('initialises deterministically from the seed and round-trips its weights', async () => {
      const first = await options.createModel(11);
      const second = await options.createModel(11);
      const firstWeights = first.namedWeights();
      const secondWeights = second.namedWeights();
      expect(Object.keys(secondWeights)).toEqual(Object.keys(firstWeights));
      for (const [weightName, tensor] of Object.entries(firstWeights)) {
        expect(Array.from((secondWeights[weightName] as tf.Tensor).dataSync()), weightName).toEqual(Array.from(tensor.dataSync()));
      }
      const other = await options.createModel(12);
      other.loadNamedWeights(firstWeights);
      for (const [weightName, tensor] of Object.entries(other.namedWeights())) {
        expect(Array.from(tensor.dataSync()), weightName).toEqual(Array.from((firstWeights[weightName] as tf.Tensor).dataSync()));
      }
      const [firstName, firstTensor] = Object.entries(firstWeights)[0] as [string, tf.Tensor];
      const wrong = tf.zeros([...firstTensor.shape, 2]);
      expect(() => other.loadNamedWeights({ ...firstWeights, [firstName]: wrong })).toThrow();
      wrong.dispose();
      [first, second, other].forEach((candidate) => candidate.dispose());
    });

    it('samples images of the native size in [0, 1]', async () => {
      const condition = model.doBuildCondition({ texts: Array(batchSize).fill('a red image'), understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
      const unconditional = model.doBuildCondition({ texts: Array(batchSize).fill(''), understandingEmbeddings: undefined, dropText: Array(batchSize).fill(true), dropUnderstanding: undefined, training: false });
      const { images: samples } = await model.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: undefined, seed: 7, temperature: undefined, adapterOptions: undefined });
      expect(samples.shape).toEqual([batchSize, model.imageSize, model.imageSize, 3]);
      const values = samples.dataSync();
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThanOrEqual(1);
      tf.dispose(samples);
      disposeCondition(condition);
      disposeCondition(unconditional);
    });

    it('rejects target images of the wrong size with a ShapeMismatchError', async () => {
      const state = createRecaTrainingState({ model, config: recaConfig });
      const wrong = tf.zeros([batchSize, model.imageSize + 1, model.imageSize + 1, 3]) as tf.Tensor4D;
      await expect(recaStep(state, { batches: [{ kind: 'reconstruction', images: wrong }] })).rejects.toSatisfy(ShapeMismatchError.isInstance);
      wrong.dispose();
      state.dispose();
    });
  });
}
