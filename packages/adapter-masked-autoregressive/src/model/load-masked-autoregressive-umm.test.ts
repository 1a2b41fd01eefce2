import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeCondition, readModelCheckpointInfo, saveModelCheckpoint } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colouredSquares } from '../__fixtures__/coloured-squares.js';
import { createMaskedAutoregressiveUmm } from './create-masked-autoregressive-umm.js';
import { loadMaskedAutoregressiveUmmFromCheckpoint } from './load-masked-autoregressive-umm.js';
import type { MaskedAutoregressiveUmm } from './masked-autoregressive-umm.js';

describe('loadMaskedAutoregressiveUmmFromCheckpoint', () => {
  let directory: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    directory = await mkdtemp(join(tmpdir(), 'reca-mar-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const lossAndSample = async (model: MaskedAutoregressiveUmm, images: tf.Tensor4D) => {
    const condition = model.doBuildCondition({ texts: ['a red square', 'a green square'], understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
    const { loss } = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(9), adapterOptions: undefined });
    const { images: samples } = await model.doSample({ condition, unconditionalCondition: undefined, guidanceScale: 1, steps: 2, seed: 4, temperature: undefined, adapterOptions: undefined });
    const result = { loss: (await loss.data())[0] as number, samples: Array.from(await samples.data()) };
    tf.dispose([loss, samples]);
    disposeCondition(condition);
    return result;
  };

  it('round-trips configuration, tokenizer, scaling factor and every weight through a safetensors file', async () => {
    const model = createMaskedAutoregressiveUmm({ preset: 'tiny', overrides: { imageSize: 16 }, seed: 3 });
    model.generator.autoencoder?.setScalingFactor(0.37);
    const random = new SeededRandom(5);
    for (const [, variable] of model.trainableVariables().slice(0, 12)) variable.assign(tf.add(variable, random.normalTensor([...variable.shape], 0, 0.1)));
    for (const variable of model.generator.mar.diffusionHead.parameters()) variable.assign(tf.add(variable, random.normalTensor([...variable.shape], 0, 0.1)));
    const path = join(directory, 'model.safetensors');
    await saveModelCheckpoint(path, model);
    const info = await readModelCheckpointInfo(path);
    expect(info.family).toBe('masked-autoregressive');
    expect(info.adapter).toBe('@reca/adapter-masked-autoregressive');

    const loaded = await loadMaskedAutoregressiveUmmFromCheckpoint(path);
    expect(loaded.getConfig()).toEqual(model.getConfig());
    expect(loaded.generator.autoencoder?.scalingFactor).toBe(0.37);
    expect(loaded.modelId).toBe(model.modelId);
    expect(loaded.tokenizer.encode('a red square')).toEqual(model.tokenizer.encode('a red square'));
    const original = model.namedWeights();
    const restored = loaded.namedWeights();
    expect(Object.keys(restored)).toEqual(Object.keys(original));
    for (const [name, tensor] of Object.entries(original)) expect(Array.from(restored[name]!.dataSync()), name).toEqual(Array.from(tensor.dataSync()));

    const { images } = colouredSquares(2, 16, 7);
    const [before, after] = [await lossAndSample(model, images), await lossAndSample(loaded, images)];
    expect(after.loss).toBe(before.loss);
    expect(after.samples).toEqual(before.samples);
    images.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('refuses a checkpoint of another adapter and lists missing weights', async () => {
    const model = createMaskedAutoregressiveUmm({ overrides: { imageSize: 16 }, seed: 0 });
    const weights = { ...model.namedWeights() };
    delete weights['mar.mask_token'];
    expect(() => model.loadNamedWeights(weights)).toThrow(/mar\.mask_token/);
    model.dispose();
  });
});
