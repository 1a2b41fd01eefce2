import { createRecaTrainingState, disposeCondition, recaStep, type UnifiedModelV1Condition } from '@reca/core';
import { measureTensorLeak, resizeImages, SeededRandom, tf } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colouredSquares } from '../__fixtures__/coloured-squares.js';
import { randomMasking } from '../masking/random-masking.js';
import { sampleOrders } from '../masking/sample-orders.js';
import { createMaskedAutoregressiveUmm } from './create-masked-autoregressive-umm.js';
import type { MaskedAutoregressiveUmm } from './masked-autoregressive-umm.js';

const textCondition = (model: MaskedAutoregressiveUmm, texts: string[]): UnifiedModelV1Condition =>
  model.doBuildCondition({ texts, understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: true });

describe('MaskedAutoregressiveUmm (Harmon / MAR)', () => {
  let model: MaskedAutoregressiveUmm;
  let images: tf.Tensor4D;
  let captions: string[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = createMaskedAutoregressiveUmm({ overrides: { imageSize: 16 }, seed: 1 });
    ({ images, captions } = colouredSquares(2, 16, 1));
  });
  afterAll(() => {
    images.dispose();
    model.dispose();
  });

  it("declares Harmon's RecA defaults and a shared MAR-encoder understanding side", () => {
    expect(model.family).toBe('masked-autoregressive');
    expect(model.recaDefaults).toEqual({ conditionDropout: { type: 'null-prompt', probability: 0.1 }, lossWeights: { reconstruction: 1, imageToText: 1, textToImage: 0 } });
    expect(model.nullPrompt).toBe('Generate an image.');
    expect(model.understanding).toEqual({
      embeddingWidth: model.stack.conditionWidth,
      imageSize: 16,
      minimumImageSize: 8,
      gradientPolicy: { type: 'scale', scale: 0.1 },
      sharedWithGeneration: true,
      parameterPrefixes: ['understanding.'],
    });
    const weightNames = Object.keys(model.namedWeights());
    const trainableNames = model.trainableVariables().map(([name]) => name);
    expect(weightNames.some((name) => name.startsWith('understanding.vit.'))).toBe(false);
    expect(weightNames).toContain('vae.encoder.conv_in.weight');
    expect(trainableNames.some((name) => name.startsWith('vae.'))).toBe(false);
    for (const prefix of ['mar.z_proj.', 'mar.encoder_blocks.0.', 'mar.diffloss.net.', 'proj_in.0.', 'llm.layers.0.', 'proj_out.2.', 'text.', 'understanding.caption_decoder.']) {
      expect(trainableNames.some((name) => name.startsWith(prefix)), prefix).toBe(true);
    }
    expect(new Set(trainableNames).size).toBe(trainableNames.length);
  });

  it("encodes understanding as Harmon does: the MAR encoder with nothing masked over clean latents, buffers last, then proj_in", () => {
    const generator = model.generator;
    const embeddings = model.doEncodeUnderstanding({ images, training: false });
    const length = generator.sequenceLength;
    const buffers = generator.mar.config.bufferSize;
    const expected = tf.tidy(() => {
      const tokens = generator.imagesToTokens(images); // posterior mean
      const all = [0, 1].map(() => Array.from({ length }, (_, index) => index));
      const encoded = generator.mar.encode(tokens, all);
      const width = encoded.shape[2];
      const reordered = tf.concat([tf.slice(encoded, [0, buffers, 0], [2, length, width]), tf.slice(encoded, [0, 0, 0], [2, buffers, width])], 1);
      return generator.projectIn.forward(reordered);
    });
    expect(embeddings.shape).toEqual([2, length + buffers, model.understanding.embeddingWidth]);
    const actual = embeddings.dataSync();
    expected.dataSync().forEach((value, index) => expect(actual[index]).toBeCloseTo(value, 5));
    // A bottlenecked (smaller) image is resized back to the native size first.
    const small = resizeImages(images, { height: 8, width: 8 }, 'area');
    const resized = resizeImages(small, { height: 16, width: 16 }, 'bilinear');
    const fromSmall = model.doEncodeUnderstanding({ images: small as tf.Tensor4D, training: false }).dataSync();
    const fromResized = model.doEncodeUnderstanding({ images: resized as tf.Tensor4D, training: false }).dataSync();
    fromResized.forEach((value, index) => expect(fromSmall[index]).toBeCloseTo(value, 5));
    tf.dispose([embeddings, expected, small, resized]);
  });

  it('scales the I2T gradient into the shared MAR encoder by 0.1 (Harmon) and leaves the caption decoder’s own gradient whole', () => {
    const encoderWeight = model.generator.mar.tokenProjection.weight;
    const decoderWeight = model.stack.captionDecoder.languageModelHead.weight;
    const scaled = tf.variableGrads(() => model.doUnderstandingLoss({ images, captions, random: new SeededRandom(0) }).loss, [encoderWeight, decoderWeight]);
    const unscaled = tf.variableGrads(() => model.stack.captionDecoder.loss(model.doEncodeUnderstanding({ images, training: true }), captions), [encoderWeight, decoderWeight]);
    expect(scaled.value.dataSync()[0]).toBeCloseTo(unscaled.value.dataSync()[0] as number, 6);
    const [scaledEncoder, unscaledEncoder] = [scaled.grads[encoderWeight.name]!, unscaled.grads[encoderWeight.name]!].map((tensor) => tensor.dataSync());
    expect(Math.max(...Array.from(unscaledEncoder).map(Math.abs))).toBeGreaterThan(0);
    unscaledEncoder.forEach((value, index) => expect(scaledEncoder[index]).toBeCloseTo(value * 0.1, 7));
    const [scaledDecoder, unscaledDecoder] = [scaled.grads[decoderWeight.name]!, unscaled.grads[decoderWeight.name]!].map((tensor) => tensor.dataSync());
    unscaledDecoder.forEach((value, index) => expect(scaledDecoder[index]).toBeCloseTo(value, 6));
    tf.dispose([scaled.value, unscaled.value, ...Object.values(scaled.grads), ...Object.values(unscaled.grads)]);
  });

  it("is MAR's loss: one order per sample, one truncated-normal ratio per batch, the diffusion loss over masked tokens (same draws, same value)", () => {
    const condition = textCondition(model, ['a red square', 'a blue square']);
    const random = new SeededRandom(21);
    const result = model.doGenerationLoss({ condition, targetImages: images, random: random.fork('loss'), adapterOptions: undefined });
    expect(result.normalization).toBe('masked-tokens');
    const replay = random.fork('loss');
    const generator = model.generator;
    const length = generator.sequenceLength;
    const reference = tf.tidy(() => {
      const tokens = generator.imagesToTokens(images, replay.fork('latents'));
      const orders = sampleOrders(2, length, replay);
      const ratio = model.maskRatioSampler.sample(replay);
      expect(ratio).toBeGreaterThanOrEqual(0.7);
      const { mask, maskedCount } = randomMasking(orders, ratio);
      expect(maskedCount).toBe(Math.ceil(length * ratio - 1e-9));
      const visible = orders.map((order) => order.slice(maskedCount).sort((first, second) => first - second));
      return generator.mar.diffusionHead.loss({
        target: tokens,
        condition: generator.tokenConditions(tokens, visible, condition),
        mask: tf.tensor2d(mask, [2, length]),
        batchMultiplier: 4,
        random: replay,
      });
    });
    expect(result.loss.dataSync()[0]).toBeCloseTo(reference.dataSync()[0] as number, 6);
    const other = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(22), adapterOptions: undefined });
    expect(other.loss.dataSync()[0]).not.toBeCloseTo(result.loss.dataSync()[0] as number, 4);
    tf.dispose([result.loss, reference, other.loss]);
    disposeCondition(condition);
  });

  it('reads the condition only through the residual proj_out path (zero proj_out: the condition no longer matters)', () => {
    const probe = createMaskedAutoregressiveUmm({ overrides: { imageSize: 16 }, seed: 2 });
    // MAR zero-initialises the head's output and modulations (its loss ignores z at first): give them values.
    const random = new SeededRandom(4);
    for (const variable of probe.generator.mar.diffusionHead.parameters()) variable.assign(tf.add(variable, random.normalTensor([...variable.shape], 0, 0.2)));
    const first = textCondition(probe, ['a red square', 'a red square']);
    const second = textCondition(probe, ['two blue circles', 'a green triangle']);
    const lossOf = (condition: UnifiedModelV1Condition) => {
      const { loss } = probe.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(3), adapterOptions: { 'masked-autoregressive': { maskRatio: 0.75 } } });
      const value = loss.dataSync()[0] as number;
      loss.dispose();
      return value;
    };
    expect(Math.abs(lossOf(first) - lossOf(second))).toBeGreaterThan(1e-6);
    for (const variable of probe.generator.projectOut.fc2.parameters()) variable.assign(tf.zerosLike(variable));
    expect(lossOf(first)).toBeCloseTo(lossOf(second), 6);
    disposeCondition(first);
    disposeCondition(second);
    probe.dispose();
  });

  it('samples reproducibly from the seed, without leaking tensors, with DDPM or DDIM for the head', async () => {
    const condition = textCondition(model, ['a red square', 'a blue square']);
    const unconditional = model.doBuildCondition({ texts: ['', ''], understandingEmbeddings: undefined, dropText: [true, true], dropUnderstanding: undefined, training: false });
    const sample = async (seed: number, adapterOptions?: Record<string, Record<string, unknown>>) => {
      const { images: result, warnings } = await model.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 3, steps: 3, seed, temperature: 1, adapterOptions });
      const values = Array.from(await result.data());
      result.dispose();
      return { values, warnings };
    };
    const { result: first, leaked } = await measureTensorLeak(() => sample(5));
    expect(leaked).toBe(0);
    expect((await sample(5)).values).toEqual(first.values);
    expect((await sample(6)).values).not.toEqual(first.values);
    const ddim = await sample(5, { 'masked-autoregressive': { sampler: 'ddim', diffusionSteps: 4, colour: 'red' } });
    expect(ddim.values.length).toBe(2 * 16 * 16 * 3);
    expect(ddim.values.every((value) => value >= 0 && value <= 1)).toBe(true);
    expect(ddim.warnings.map((warning) => warning.feature)).toEqual(['adapterOptions.masked-autoregressive.colour']);
    await expect(sample(5, { 'masked-autoregressive': { sampler: 'euler' } })).rejects.toThrow(/sampler/);
    disposeCondition(condition);
    disposeCondition(unconditional);
  });

  it("trains with Harmon's RecA mix by default: null-prompt dropout 0.1, reconstruction and I2T micro-batches", async () => {
    const probe = createMaskedAutoregressiveUmm({ overrides: { imageSize: 16 }, seed: 5 });
    const state = createRecaTrainingState({ model: probe, seed: 0, config: { optimizer: { learningRate: 1e-3 } } });
    expect(state.config.conditionDropout).toEqual({ type: 'null-prompt', probability: 0.1 });
    expect(state.config.lossWeights).toMatchObject({ reconstruction: 1, imageToText: 1, textToImage: 0 });
    const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }, { kind: 'image-to-text', images, captions }] });
    expect(Number.isFinite(result.losses.reconstruction)).toBe(true);
    expect(Number.isFinite(result.losses['image-to-text'])).toBe(true);
    expect(result.microBatches).toBe(2);
    state.dispose();
    probe.dispose();
  });

  it('does not leak tensors in the loss or the understanding encoder', async () => {
    const condition = textCondition(model, ['a red square', 'a blue square']);
    const { leaked } = await measureTensorLeak(async () => {
      const { loss } = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(1), adapterOptions: undefined });
      const value = (await loss.data())[0];
      loss.dispose();
      model.doEncodeUnderstanding({ images, training: false }).dispose();
      model.doUnderstandingLoss({ images, captions, random: new SeededRandom(0) }).loss.dispose();
      return value;
    });
    expect(leaked).toBe(0);
    disposeCondition(condition);
  });
});

describe('MaskedAutoregressiveUmm variants', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("'vit' understanding: the stack's frozen ViT encodes, I2T is not mixed, the MAR encoder is not understanding", () => {
    const model = createMaskedAutoregressiveUmm({ overrides: { imageSize: 16, understanding: 'vit' }, seed: 0 });
    expect(model.stack.mode).toBe('frozen');
    expect(model.recaDefaults.lossWeights).toEqual({ reconstruction: 1, imageToText: 0, textToImage: 0 });
    expect(model.understanding).toEqual(model.stack.understandingInfo);
    const { images } = colouredSquares(2, 16, 2);
    const embeddings = model.doEncodeUnderstanding({ images, training: false });
    const fromStack = model.stack.encodeUnderstanding({ images, training: false });
    expect(Array.from(embeddings.dataSync())).toEqual(Array.from(fromStack.dataSync()));
    expect(Object.keys(model.namedWeights()).some((name) => name.startsWith('understanding.vit.'))).toBe(true);
    expect(model.trainableVariables().some(([name]) => name.startsWith('understanding.'))).toBe(false);
    tf.dispose([images, embeddings, fromStack]);
    model.dispose();
  });

  it('pixel patch tokens: no autoencoder, tokens of p·p·3 values, images round-trip exactly', async () => {
    const model = createMaskedAutoregressiveUmm({ overrides: { imageSize: 16, imageTokenizer: { type: 'pixels' }, generator: { patchSize: 4 } }, seed: 0 });
    expect(model.generator.autoencoder).toBeNull();
    expect(model.generator.tokenChannels).toBe(48);
    expect(model.generator.sequenceLength).toBe(16);
    expect(Object.keys(model.namedWeights()).some((name) => name.startsWith('vae.'))).toBe(false);
    const { images } = colouredSquares(2, 16, 3);
    const tokens = model.generator.imagesToTokens(images);
    const back = model.generator.tokensToImages(tokens);
    expect(Array.from(back.dataSync())).toEqual(Array.from(images.dataSync()));
    const condition = textCondition(model, ['a red square', 'a red square']);
    const { loss } = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(0), adapterOptions: undefined });
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    const { images: samples } = await model.doSample({ condition, unconditionalCondition: undefined, guidanceScale: 1, steps: 2, seed: 0, temperature: undefined, adapterOptions: undefined });
    expect(samples.shape).toEqual([2, 16, 16, 3]);
    tf.dispose([images, tokens, back, loss, samples]);
    disposeCondition(condition);
    model.dispose();
  });

  it('rejects inconsistent configurations, naming the field', () => {
    expect(() => createMaskedAutoregressiveUmm({ overrides: { imageSize: 18 } })).toThrow(/imageSize/);
    expect(() => createMaskedAutoregressiveUmm({ overrides: { imageSize: 16, generator: { encoderNumHeads: 3 } } })).toThrow(/encoderNumHeads/);
    expect(() => createMaskedAutoregressiveUmm({ overrides: { imageSize: 16, understandingStack: { embeddingWidth: 24 } } })).toThrow(/embeddingWidth/);
    expect(() => createMaskedAutoregressiveUmm({ overrides: { imageSize: 16, sampling: { sampler: 'euler' as 'ddpm' } } })).toThrow(/sampler/);
  });
});
