import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptCheckpointError, disposeCondition, saveModelCheckpoint, type UnifiedModelV1Condition } from '@reca/core';
import { describeUnifiedModelConformance } from '@reca/core/test/conformance';
import { MockUnifiedModel } from '@reca/core/test';
import { measureTensorLeak, SeededRandom, tf, useBackend, WeightNamesMismatchError } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colouredSquares } from './__fixtures__/coloured-squares.js';
import { testTokenizer } from './__fixtures__/test-tokenizer.js';
import { AutoregressiveUmm } from './autoregressive-umm.js';
import { resolveAutoregressiveUmmConfig } from './autoregressive-umm-config.js';
import { createAutoregressiveUmm, loadAutoregressiveUmmFromCheckpoint } from './create-autoregressive-umm.js';
import { VqTokenizer } from './vq/vq-tokenizer.js';

const tokenizer = testTokenizer();
/** The tiny preset at 16 px (tests may use 16 px; the preset's default is 32 px ShapesWorld). */
const create = (seed: number, mode: 'next-token' | 'masked' = 'next-token') =>
  createAutoregressiveUmm({ preset: 'tiny', tokenizer, seed, overrides: { imageSize: 16, generator: { mode } } });

describeUnifiedModelConformance('autoregressive tiny (next-token, 16 px)', { createModel: (seed) => create(seed) });

const textCondition = (model: AutoregressiveUmm, texts: string[], drop = false): UnifiedModelV1Condition =>
  model.doBuildCondition({ texts, understandingEmbeddings: undefined, dropText: drop ? texts.map(() => true) : undefined, dropUnderstanding: undefined, training: false });

describe('AutoregressiveUmm', () => {
  let directory: string;
  beforeAll(async () => {
    await useBackend('cpu');
    directory = await mkdtemp(join(tmpdir(), 'reca-ar-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('resolves presets with documented sizes and names its weights after LlamaGen', () => {
    const tiny = resolveAutoregressiveUmmConfig('tiny');
    expect(tiny.imageSize).toBe(32);
    expect(tiny.understanding.vision.imageSize).toBe(32);
    expect(tiny.understanding.minimumImageSize).toBe(16);
    const base = resolveAutoregressiveUmmConfig('base');
    expect([base.imageSize, base.generator.dim, base.generator.numLayers, base.vq.codebookSize]).toEqual([256, 768, 12, 16384]);
    expect(base.understanding.vision.imageSize).toBe(224);
    const model = create(0);
    const names = Object.keys(model.namedWeights());
    for (const name of ['tok_embeddings.weight', 'cls_embedding.cap_proj.fc1.weight', 'layers.1.attention.wqkv.weight', 'layers.0.feed_forward.w3.weight', 'norm.weight', 'output.weight', 'vq_model.quantize.embedding.weight', 'vq_model.encoder.conv_blocks.0.downsample.conv.weight', 'vq_model.decoder.conv_blocks.0.upsample.conv.weight', 'understanding.vit.blocks.0.attn.qkv.weight', 'text.meta_queries']) {
      expect(names).toContain(name);
    }
    expect(model.trainableVariables().some(([name]) => name.startsWith('vq_model.'))).toBe(false);
    expect(model.recaDefaults).toEqual({ conditionDropout: { type: 'none' }, lossWeights: { reconstruction: 1, imageToText: 1, textToImage: 0 } });
    model.stack.setMode('frozen');
    expect(model.recaDefaults.lossWeights).toEqual({ reconstruction: 1, imageToText: 0, textToImage: 0 });
    expect(model.understanding.gradientPolicy).toEqual({ type: 'stop' });
    model.dispose();
  });

  it('computes the next-token loss on the VQ tokens of the target images and the masked loss from the random state', async () => {
    const images = colouredSquares(2, 16, 0);
    for (const mode of ['next-token', 'masked'] as const) {
      const model = create(1, mode);
      const lossOf = (seed: number) =>
        tf.tidy(() => {
          const condition = textCondition(model, ['a red square', 'two squares']);
          const result = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(seed), adapterOptions: undefined });
          expect(result.normalization).toBe(mode === 'masked' ? 'masked-tokens' : 'tokens');
          return result.loss;
        });
      // The output head starts at zero: every prediction is uniform, the loss is log(codebook size).
      const first = lossOf(0);
      expect((await first.data())[0]).toBeCloseTo(Math.log(model.config.vq.codebookSize), 4);
      model.generator.output.weight.assign(new SeededRandom(2).normalTensor(model.generator.output.weight.shape, 0, 0.3));
      const [a, b, c] = [lossOf(0), lossOf(0), lossOf(1)];
      const [valueA, valueB, valueC] = [(await a.data())[0]!, (await b.data())[0]!, (await c.data())[0]!];
      expect(valueA).toBe(valueB);
      if (mode === 'masked') expect(valueC).not.toBe(valueA);
      else expect(valueC).toBe(valueA); // next-token mode draws nothing
      tf.dispose([first, a, b, c]);
      model.dispose();
    }
    images.dispose();
  });

  it('copies a trained VQ tokenizer in, and rejects one of another configuration', async () => {
    const config = resolveAutoregressiveUmmConfig('tiny', { imageSize: 16 }).vq;
    const vq = new VqTokenizer(config, new SeededRandom(42));
    const model = createAutoregressiveUmm({ tokenizer, seed: 0, overrides: { imageSize: 16 }, vqTokenizer: vq });
    const images = colouredSquares(2, 16, 3);
    const [ours, theirs] = [model.vqTokenizer.encodeToIndices(images), vq.encodeToIndices(images)];
    expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
    expect(() => createAutoregressiveUmm({ tokenizer, overrides: { imageSize: 32 }, vqTokenizer: vq })).toThrow(/differs/);
    tf.dispose([ours, theirs, images]);
    vq.dispose();
    model.dispose();
  });

  it('round-trips through a model checkpoint: same config, weights and samples (both modes)', async () => {
    for (const mode of ['next-token', 'masked'] as const) {
      const model = create(5, mode);
      model.generator.output.weight.assign(new SeededRandom(3).normalTensor(model.generator.output.weight.shape, 0, 0.3));
      const path = join(directory, `${mode}.safetensors`);
      await saveModelCheckpoint(path, model);
      const loaded = await loadAutoregressiveUmmFromCheckpoint(path);
      expect(loaded.getConfig()).toEqual(model.getConfig());
      for (const [name, tensor] of Object.entries(model.namedWeights())) {
        expect(Array.from(loaded.namedWeights()[name]!.dataSync()), name).toEqual(Array.from(tensor.dataSync()));
      }
      const sampleOf = async (candidate: AutoregressiveUmm) => {
        const condition = textCondition(candidate, ['a blue square']);
        const unconditional = textCondition(candidate, [''], true);
        const { images } = await candidate.doSample({ condition, unconditionalCondition: unconditional, guidanceScale: 2, steps: 3, seed: 9, temperature: undefined, adapterOptions: undefined });
        disposeCondition(condition);
        disposeCondition(unconditional);
        const values = Array.from(await images.data());
        images.dispose();
        return values;
      };
      expect(await sampleOf(loaded)).toEqual(await sampleOf(model));
      loaded.dispose();
      model.dispose();
    }
    const mockPath = join(directory, 'mock.safetensors');
    const mock = new MockUnifiedModel();
    await saveModelCheckpoint(mockPath, mock);
    mock.dispose();
    await expect(loadAutoregressiveUmmFromCheckpoint(mockPath)).rejects.toSatisfy(CorruptCheckpointError.isInstance);
  });

  it('samples without leaking, reports ignored options, and rejects incomplete weights', async () => {
    const model = create(6);
    const condition = textCondition(model, ['a red square', 'a green square']);
    const { result, leaked } = await measureTensorLeak(() =>
      model.doSample({ condition, unconditionalCondition: undefined, guidanceScale: 1, steps: 5, seed: 1, temperature: 0.5, adapterOptions: { autoregressive: { topK: 4, unknownOption: 1 } } }),
    );
    expect(leaked).toBe(1); // the returned images
    expect(result.images.shape).toEqual([2, 16, 16, 3]);
    expect(result.warnings.map((warning) => warning.feature).sort()).toEqual(['adapterOptions.autoregressive.unknownOption', 'steps']);
    result.images.dispose();
    disposeCondition(condition);
    const weights = { ...model.namedWeights() };
    delete weights['norm.weight'];
    expect(() => model.loadNamedWeights(weights)).toThrow(WeightNamesMismatchError);
    model.dispose();
  });
});

describe('doGenerationLoss on cpu and wasm', () => {
  /** The loss of one model on one backend (nothing crosses a backend switch). */
  async function lossOn(backend: 'cpu' | 'wasm', mode: 'next-token' | 'masked'): Promise<number> {
    await useBackend(backend);
    const model = create(7, mode);
    model.generator.output.weight.assign(new SeededRandom(4).normalTensor(model.generator.output.weight.shape, 0, 0.3));
    const images = colouredSquares(2, 16, 8);
    const loss = tf.tidy(() => {
      const embeddings = model.doEncodeUnderstanding({ images: tf.image.resizeBilinear(images, [8, 8]) as tf.Tensor4D, training: true });
      const condition = model.doBuildCondition({ texts: ['describe the image in detail .', 'a red square'], understandingEmbeddings: embeddings, dropText: undefined, dropUnderstanding: undefined, training: true });
      return model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(11), adapterOptions: undefined }).loss;
    });
    const value = (await loss.data())[0]!;
    tf.dispose([loss, images]);
    model.dispose();
    return value;
  }

  it('agrees within a relative error of 1e-4 for the same random state (both modes)', async () => {
    for (const mode of ['next-token', 'masked'] as const) {
      const reference = await lossOn('cpu', mode);
      const wasm = await lossOn('wasm', mode);
      expect(Math.abs(wasm - reference) / Math.abs(reference), `${mode}: wasm ${wasm} vs cpu ${reference}`).toBeLessThan(1e-4);
    }
    await useBackend('cpu');
  });
});
