import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeCondition, saveModelCheckpoint, type UnifiedModelV1Condition } from '@reca/core';
import { MockUnifiedModel } from '@reca/core/test';
import { InvalidArgumentError, SeededRandom, ShapeMismatchError, tf, useBackend, WeightNamesMismatchError } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colouredSquares } from './__fixtures__/coloured-squares.js';
import { perturbDenoiser } from './__fixtures__/perturb-denoiser.js';
import { createDiffusionUmm } from './create-diffusion-umm.js';
import type { DiffusionUmm } from './diffusion-umm.js';
import { AutoencoderLatentSpace } from './latent/autoencoder-latent-space.js';
import { loadDiffusionUmmFromCheckpoint } from './load-diffusion-umm-from-checkpoint.js';
import { trainDiffusionUmmAutoencoder } from './train-diffusion-umm-autoencoder.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const textCondition = (model: DiffusionUmm, texts: string[], drop = false): UnifiedModelV1Condition =>
  model.doBuildCondition({ texts, understandingEmbeddings: undefined, dropText: drop ? texts.map(() => true) : undefined, dropUnderstanding: undefined, training: false });

const autoencoderOverrides = { imageSize: 16, latent: { type: 'autoencoder' as const, autoencoder: { blockChannels: [4, 8], latentChannels: 4 } }, denoiser: { patchSize: 2 } };

describe('DiffusionUmm', () => {
  let model: DiffusionUmm;
  let images: tf.Tensor4D;
  beforeAll(() => {
    model = createDiffusionUmm({ preset: 'tiny', seed: 1, overrides: { imageSize: 16 } });
    images = colouredSquares(2, 16, 1);
  });
  afterAll(() => {
    model.dispose();
    images.dispose();
  });

  it('declares BAGEL’s RecA defaults and a frozen understanding encoder; trains the text side and the DiT only', () => {
    expect(model.family).toBe('diffusion');
    expect(model.adapter).toBe('@reca/adapter-diffusion');
    expect(model.recaDefaults).toEqual({ conditionDropout: { type: 'drop-text', probability: 0.1 }, lossWeights: { imageToText: 0 } });
    expect(model.understanding.gradientPolicy).toEqual({ type: 'stop' });
    expect(model.understanding.sharedWithGeneration).toBe(false);
    expect(model.nullPrompt).toBe('Generate an image.');
    const trainable = model.trainableVariables().map(([name]) => name);
    expect(trainable.some((name) => name.startsWith('understanding.'))).toBe(false);
    expect(trainable.some((name) => name.startsWith('text.'))).toBe(true);
    for (const name of ['x_embedder.proj.weight', 't_embedder.mlp.2.weight', 'y_embedder.y_proj.fc1.weight', 'blocks.1.cross_attn.kv_linear.weight', 'final_layer.adaLN_modulation.1.weight']) {
      expect(trainable).toContain(name);
    }
    expect(trainable).not.toContain('pos_embed');
    const all = Object.keys(model.namedWeights());
    expect(all).toContain('pos_embed');
    expect(all).toContain('understanding.vit.blocks.0.attn.qkv.weight');
    expect(new Set(all).size).toBe(all.length);
  });

  it('computes the flow-matching loss exactly from its random draws: x_t = (1 − t)·x0 + t·ε, MSE to ε − x0', () => {
    const condition = textCondition(model, ['a red square', 'a blue square']);
    const x0 = Array.from(images.dataSync(), (value) => 2 * value - 1); // pixel latents
    const count = x0.length;
    // Untrained DiT predicts 0 (AdaLN-Zero): the loss is mean((ε − x0)²), whatever t is.
    const replay = new SeededRandom(21);
    const noise = replay.normalArray(count);
    const expectedAtInit = x0.reduce((sum, value, index) => sum + ((noise[index] as number) - value) ** 2, 0) / count;
    const atInit = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(21), adapterOptions: undefined });
    expect(atInit.normalization).toBe('elements');
    expect(atInit.loss.dataSync()[0]).toBeCloseTo(expectedAtInit, 5);

    // A trained-looking DiT: rebuild x_t and the target by hand from the same draws and run the DiT on them.
    const probe = createDiffusionUmm({ preset: 'tiny', seed: 1, overrides: { imageSize: 16 } });
    perturbDenoiser(probe.denoiser, 3);
    const probeCondition = textCondition(probe, ['a red square', 'a blue square']);
    for (const sampling of [{ type: 'uniform' as const }, { type: 'logit-normal' as const }]) {
      const draws = new SeededRandom(22);
      const epsilon = draws.normalArray(count);
      const perImage = count / 2;
      const times = [0, 1].map(() => (sampling.type === 'uniform' ? draws.uniform() : 1 / (1 + Math.exp(-draws.normal()))));
      const noisy = x0.map((value, index) => {
        const t = times[Math.floor(index / perImage)] as number;
        return (1 - t) * value + t * (epsilon[index] as number);
      });
      const expected = tf.tidy(() => {
        const prediction = probe.denoiser.forward(tf.tensor4d(noisy, [2, 16, 16, 3]), tf.tensor1d(times), probeCondition);
        const target = tf.tensor4d(x0.map((value, index) => (epsilon[index] as number) - value), [2, 16, 16, 3]);
        return tf.mean(tf.squaredDifference(prediction, target)).dataSync()[0] as number;
      });
      const { loss } = probe.doGenerationLoss({ condition: probeCondition, targetImages: images, random: new SeededRandom(22), adapterOptions: { diffusion: { timestepSampling: sampling } } });
      expect(loss.dataSync()[0], sampling.type).toBeCloseTo(expected, 5);
      expect(Math.abs((loss.dataSync()[0] as number) - expectedAtInit)).toBeGreaterThan(1e-3);
      loss.dispose();
    }
    tf.dispose(atInit.loss);
    disposeCondition(condition);
    disposeCondition(probeCondition);
    probe.dispose();
  });

  it('rejects targets of the wrong size or batch, bad adapter options, and reports unknown options', () => {
    const condition = textCondition(model, ['a red square', 'a blue square']);
    const random = new SeededRandom(0);
    const wrong = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    expect(() => model.doGenerationLoss({ condition, targetImages: wrong, random, adapterOptions: undefined })).toThrow(ShapeMismatchError);
    const single = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    expect(() => model.doGenerationLoss({ condition, targetImages: single, random, adapterOptions: undefined })).toThrow(/condition.embeddings/);
    expect(() => model.doGenerationLoss({ condition, targetImages: images, random, adapterOptions: { diffusion: { timestepShift: -1 } } })).toThrow(InvalidArgumentError);
    const result = model.doGenerationLoss({ condition, targetImages: images, random, adapterOptions: { diffusion: { predictionType: 'v' }, 'masked-autoregressive': { x: 1 } } });
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'adapterOptions.diffusion.predictionType' })]);
    tf.dispose([wrong, single, result.loss]);
    disposeCondition(condition);
  });

  it('samples deterministically per seed, guides as v_u + s·(v_c − v_u) in one batched call, and leaks nothing', async () => {
    // Latent scale 64 keeps decoded pixels inside (0, 1) so that the decode is linear and guidance can be checked exactly.
    const probe = createDiffusionUmm({ preset: 'tiny', seed: 2, overrides: { imageSize: 16, latent: { type: 'pixel', scale: 64 } } });
    perturbDenoiser(probe.denoiser, 4, 0.25);
    const condition = textCondition(probe, ['a red square', 'a green circle']);
    const unconditional = textCondition(probe, ['', ''], true);
    const sample = async (guidanceScale: number, seed: number, extra: Record<string, unknown> = {}, withUnconditional = true) => {
      const result = await probe.doSample({
        condition,
        unconditionalCondition: withUnconditional ? unconditional : undefined,
        guidanceScale,
        steps: 1,
        seed,
        temperature: undefined,
        adapterOptions: { diffusion: extra },
      });
      const values = Array.from(await result.images.data());
      result.images.dispose();
      return { values, warnings: result.warnings };
    };
    const before = tf.memory().numTensors;
    const [zero, one, three] = [(await sample(0, 5)).values, (await sample(1, 5)).values, (await sample(3, 5)).values];
    const threeWithNullPrompt = (await sample(3, 5, {}, false)).values;
    expect(tf.memory().numTensors).toBe(before);
    // One Euler step from t = 1: x = ε − v, linear in the guidance scale: x(3) = x(0) + 3·(x(1) − x(0)).
    let checked = 0;
    three.forEach((value, index) => {
      const expected = (zero[index] as number) + 3 * ((one[index] as number) - (zero[index] as number));
      if (expected > 0.01 && expected < 0.99) {
        expect(value).toBeCloseTo(expected, 4);
        checked += 1;
      }
    });
    expect(checked).toBeGreaterThan(three.length / 2);
    expect(Math.max(...three.map((value, index) => Math.abs(value - (one[index] as number))))).toBeGreaterThan(1e-3);
    // Scale 1 with or without the unconditional branch is the same conditional flow; without one, the null prompt's
    // condition is built (the explicit one here is exactly that).
    expect((await sample(1, 5, {}, false)).values).toEqual(one);
    expect(threeWithNullPrompt).toEqual(three);
    expect((await sample(1, 5)).values).toEqual(one);
    expect((await sample(1, 6)).values).not.toEqual(one);
    // Multi-step Euler and Heun: different integrators, both deterministic.
    const euler = await probe.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: 4, seed: 7, temperature: 0.5, adapterOptions: undefined });
    const heun = await probe.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: 4, seed: 7, temperature: undefined, adapterOptions: { diffusion: { sampler: 'heun', samplingShift: 2 } } });
    expect(euler.images.shape).toEqual([2, 16, 16, 3]);
    expect(euler.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'temperature' })]);
    expect(heun.warnings).toEqual([]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(euler.images, heun.images))).dataSync()[0] as number)).toBeGreaterThan(1e-4);
    await expect(probe.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: 0, seed: 7, temperature: undefined, adapterOptions: undefined })).rejects.toThrow(/steps/);
    await expect(probe.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: 2, seed: 7, temperature: undefined, adapterOptions: { diffusion: { sampler: 'ddim' } } })).rejects.toThrow(/sampler/);
    tf.dispose([euler.images, heun.images]);
    disposeCondition(condition);
    disposeCondition(unconditional);
    probe.dispose();
  });

  it('pads conditions of different lengths (prefix layout) when batching guidance, without changing either branch', async () => {
    const probe = createDiffusionUmm({ preset: 'tiny', seed: 6, overrides: { imageSize: 16, understanding: { conditionEncoder: { layout: 'prefix' } } } });
    perturbDenoiser(probe.denoiser, 7, 0.25);
    const condition = textCondition(probe, ['a red square above a blue circle', 'a green circle']);
    const unconditional = textCondition(probe, ['', ''], true);
    expect(condition.embeddings.shape[1]).not.toBe(unconditional.embeddings.shape[1]);
    const run = async (guidanceScale: number, withUnconditional: boolean, which = condition) => {
      const { images: sampled } = await probe.doSample({ condition: which, unconditionalCondition: withUnconditional ? unconditional : undefined, guidanceScale, steps: 2, seed: 3, temperature: undefined, adapterOptions: undefined });
      const values = Array.from(await sampled.data());
      sampled.dispose();
      return values;
    };
    const alone = await run(1, false);
    const batched = await run(1, true);
    alone.forEach((value, index) => expect(batched[index]).toBeCloseTo(value, 5));
    // Scale 0 is the unconditional flow: equal to sampling the null condition alone.
    const unconditionalOnly = await run(0, true);
    const nullAlone = await run(1, false, unconditional);
    nullAlone.forEach((value, index) => expect(unconditionalOnly[index]).toBeCloseTo(value, 5));
    disposeCondition(condition);
    disposeCondition(unconditional);
    probe.dispose();
  });

  it('builds RecA conditions (instruction + understanding embeddings) of the same kind as text conditions', () => {
    const embeddings = model.doEncodeUnderstanding({ images: tf.image.resizeBilinear(images, [8, 8]) as tf.Tensor4D, training: false });
    expect(embeddings.shape).toEqual([2, 4, model.understanding.embeddingWidth]);
    const reca = model.doBuildCondition({ texts: ['Describe the image in detail.', ''], understandingEmbeddings: embeddings, dropText: [false, true], dropUnderstanding: undefined, training: true });
    const text = textCondition(model, ['a red square', 'a blue square']);
    expect(reca.embeddings.shape).toEqual(text.embeddings.shape);
    expect(reca.layout).toBe('query-bottleneck');
    const { loss } = model.doGenerationLoss({ condition: reca, targetImages: images, random: new SeededRandom(1), adapterOptions: undefined });
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    tf.dispose([embeddings, loss]);
    disposeCondition(reca);
    disposeCondition(text);
  });

  it('loads weights atomically: missing names or wrong shapes change nothing', () => {
    const other = createDiffusionUmm({ preset: 'tiny', seed: 9, overrides: { imageSize: 16 } });
    const before = Array.from((other.namedWeights()['blocks.0.attn.qkv.weight'] as tf.Tensor).dataSync());
    const weights = { ...model.namedWeights() };
    delete weights['final_layer.linear.bias'];
    expect(() => other.loadNamedWeights(weights)).toThrow(WeightNamesMismatchError);
    const wrong = tf.zeros([3]);
    expect(() => other.loadNamedWeights({ ...model.namedWeights(), 'final_layer.linear.bias': wrong })).toThrow(ShapeMismatchError);
    expect(Array.from((other.namedWeights()['blocks.0.attn.qkv.weight'] as tf.Tensor).dataSync())).toEqual(before);
    wrong.dispose();
    other.dispose();
  });

  it('round-trips through a model checkpoint file (weights, latent normalisation, config, samples)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'reca-diffusion-'));
    try {
      const original = createDiffusionUmm({ preset: 'tiny', seed: 3, overrides: autoencoderOverrides });
      perturbDenoiser(original.denoiser, 5);
      (original.latentSpace as AutoencoderLatentSpace).setNormalization(2.5, 0.125);
      const path = join(directory, 'model.safetensors');
      await saveModelCheckpoint(path, original);
      const loaded = await loadDiffusionUmmFromCheckpoint(path);
      expect(loaded.getConfig()).toEqual(original.getConfig());
      expect(loaded.latentSpace.scale).toBe(2.5);
      expect(loaded.latentSpace.shift).toBe(0.125);
      expect(Object.keys(loaded.namedWeights())).toContain('vae.encoder.conv_in.weight');
      for (const [name, tensor] of Object.entries(original.namedWeights())) {
        expect(Array.from((loaded.namedWeights()[name] as tf.Tensor).dataSync()), name).toEqual(Array.from(tensor.dataSync()));
      }
      const sampleOf = async (candidate: DiffusionUmm) => {
        const condition = textCondition(candidate, ['a red square']);
        const { images: sampled } = await candidate.doSample({ condition, unconditionalCondition: undefined, guidanceScale: 1, steps: 2, seed: 4, temperature: undefined, adapterOptions: undefined });
        const values = Array.from(await sampled.data());
        sampled.dispose();
        disposeCondition(condition);
        return values;
      };
      expect(await sampleOf(loaded)).toEqual(await sampleOf(original));
      original.dispose();
      loaded.dispose();

      const mock = new MockUnifiedModel();
      const mockPath = join(directory, 'mock.safetensors');
      await saveModelCheckpoint(mockPath, mock);
      mock.dispose();
      const tensorsBefore = tf.memory().numTensors;
      await expect(loadDiffusionUmmFromCheckpoint(mockPath)).rejects.toThrow(/not '@reca\/adapter-diffusion'/);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('trains its autoencoder briefly and calibrates the latent scale into the config (wasm)', async () => {
    await useBackend('wasm');
    try {
      const probe = createDiffusionUmm({ preset: 'tiny', seed: 4, overrides: autoencoderOverrides });
      const data = colouredSquares(16, 16, 11);
      const result = await trainDiffusionUmmAutoencoder(probe, { images: data, steps: 30, batchSize: 8, random: new SeededRandom(2) });
      expect(result.finalLoss).toBeLessThan((result.losses[0] as number) / 2);
      expect(probe.getConfig().latent).toMatchObject({ scale: result.scale, shift: result.shift });
      expect(probe.trainableVariables().some(([name]) => name.startsWith('vae.'))).toBe(false);
      const variance = tf.tidy(() => tf.moments(probe.latentSpace.encode(data)).variance.dataSync()[0] as number);
      expect(variance).toBeCloseTo(1, 3);
      data.dispose();
      probe.dispose();
      const pixel = createDiffusionUmm({ preset: 'tiny', overrides: { imageSize: 16 } });
      const dummy = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
      await expect(trainDiffusionUmmAutoencoder(pixel, { images: dummy, random: new SeededRandom(0) })).rejects.toThrow(/pixel latents/);
      dummy.dispose();
      pixel.dispose();
    } finally {
      await useBackend('cpu');
    }
  });
});
