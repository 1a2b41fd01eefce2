import { InferenceSession, Tensor } from 'onnxruntime-node';
import { InvalidArgumentError, SeededRandom, tf } from '@reca/runtime';
import { Projector, type VisionTransformerConfig, VisionTransformerEncoder, visionTransformerPresets } from '@reca/understanding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights } from '../__fixtures__/randomize-weights.js';
import { relativeError } from '../__fixtures__/relative-error.js';
import { seededImages } from '../__fixtures__/seeded-images.js';
import { decodeModel } from '../__fixtures__/decode-model.js';
import { exportVisionTransformerToOnnx, type ExportVisionTransformerOptions } from './export-vision-transformer-to-onnx.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const created: Array<{ dispose(): void }> = [];
afterAll(() => created.forEach((module) => module.dispose()));

function buildEncoder(config: VisionTransformerConfig, seed: number, projectorWidth?: number) {
  const random = new SeededRandom(seed);
  const encoder = new VisionTransformerEncoder(config, random);
  randomizeWeights(encoder, random.fork('weights'));
  created.push(encoder);
  let projector: Projector | undefined;
  if (projectorWidth !== undefined) {
    projector = new Projector({ inFeatures: encoder.config.width, outFeatures: projectorWidth, random });
    randomizeWeights(projector, random.fork('projector'));
    created.push(projector);
  }
  return { encoder, projector };
}

/** Runs the exported model in ONNX Runtime on NHWC images in [0, 1]; returns the named outputs' values. */
async function runExported(
  bytes: Uint8Array,
  images: tf.Tensor4D,
  layout: 'nchw' | 'nhwc',
  names: readonly string[] = ['embeddings', 'pooled'],
): Promise<Record<string, { values: Float32Array; dims: readonly number[] }>> {
  const session = await InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const input = layout === 'nchw' ? tf.transpose(images, [0, 3, 1, 2]) : images.clone();
  try {
    const result = await session.run({ pixel_values: new Tensor('float32', input.dataSync() as Float32Array, input.shape) }, [...names]);
    return Object.fromEntries(names.map((name) => [name, { values: result[name]?.data as Float32Array, dims: result[name]?.dims ?? [] }]));
  } finally {
    input.dispose();
    await session.release();
  }
}

describe('exportVisionTransformerToOnnx', () => {
  for (const preset of ['tiny', 'small'] as const) {
    it(`${preset} preset with its projector: ONNX Runtime equals tfjs to ≤ 1e-4 relative on random images`, async () => {
      const { encoder, projector } = buildEncoder(visionTransformerPresets[preset], 11, 24);
      const exported = exportVisionTransformerToOnnx(encoder, { projector });
      const size = encoder.config.imageSize;
      const images = seededImages(new SeededRandom(`${preset}-images`), 3, size);
      const reference = tf.tidy(() => (projector as Projector).forward(encoder.forward(images)));
      const { embeddings, pooled } = await runExported(exported.bytes, images, 'nchw');
      expect(embeddings?.dims).toEqual([3, exported.tokens, 24]);
      expect(exported.tokens).toBe((size / encoder.config.patchSize) ** 2);
      expect(relativeError(embeddings?.values ?? [], reference.dataSync())).toBeLessThanOrEqual(1e-4);
      const referencePooled = tf.tidy(() => tf.mean(reference, 1));
      expect(relativeError(pooled?.values ?? [], referencePooled.dataSync())).toBeLessThanOrEqual(1e-4);
      // The comparison can fail: other weights give other embeddings.
      const { encoder: other } = buildEncoder(visionTransformerPresets[preset], 12);
      const otherExport = await runExported(exportVisionTransformerToOnnx(other, { projector }).bytes, images, 'nchw');
      expect(relativeError(otherExport.embeddings?.values ?? [], reference.dataSync())).toBeGreaterThan(1e-2);
      tf.dispose([images, reference, referencePooled]);
    });

    it(`${preset} preset without projector (encoder tokens), all operator variants agree with tfjs`, async () => {
      const { encoder } = buildEncoder(visionTransformerPresets[preset], 21);
      const images = seededImages(new SeededRandom(`${preset}-variants`), 2, encoder.config.imageSize);
      const reference = encoder.forward(images);
      const variants: ExportVisionTransformerOptions[] = [
        {},
        { layerNorm: 'decomposition' },
        { gelu: 'gelu-operator', inputLayout: 'nhwc' },
        { layerNorm: 'decomposition', gelu: 'gelu-operator' },
      ];
      const opsets: number[] = [];
      for (const variant of variants) {
        const exported = exportVisionTransformerToOnnx(encoder, variant);
        opsets.push(exported.opsetVersion);
        const { embeddings } = await runExported(exported.bytes, images, variant.inputLayout ?? 'nchw');
        expect(relativeError(embeddings?.values ?? [], reference.dataSync()), JSON.stringify(variant)).toBeLessThanOrEqual(1e-4);
      }
      expect(opsets).toEqual([17, 13, 20, 20]);
      tf.dispose([images, reference]);
    });
  }

  it('learned positions, penultimate output, no q/k/v bias, tanh-GELU projector', async () => {
    const config: VisionTransformerConfig = {
      imageSize: 12,
      patchSize: 4,
      width: 12,
      depth: 3,
      numHeads: 3,
      mlpRatio: 2,
      qkvBias: false,
      positionEmbedding: 'learned',
      outputLayer: 'penultimate',
      pixelMean: [0.4, 0.5, 0.6],
      pixelStd: [0.2, 0.3, 0.25],
    };
    const random = new SeededRandom(31);
    const encoder = new VisionTransformerEncoder(config, random);
    randomizeWeights(encoder, random.fork('weights'));
    const projector = new Projector({ inFeatures: 12, outFeatures: 8, hiddenFeatures: 20, activation: 'gelu-tanh', random });
    randomizeWeights(projector, random.fork('projector'));
    created.push(encoder, projector);
    const images = seededImages(new SeededRandom('learned'), 2, 12);
    const reference = tf.tidy(() => projector.forward(encoder.forward(images)));
    const exported = exportVisionTransformerToOnnx(encoder, { projector });
    const { embeddings } = await runExported(exported.bytes, images, 'nchw');
    expect(embeddings?.dims).toEqual([2, 9, 8]);
    expect(relativeError(embeddings?.values ?? [], reference.dataSync())).toBeLessThanOrEqual(1e-4);
    // The last block is unused with 'penultimate': it does not appear in the graph.
    const names = new Set(decodeModel(exported.bytes).initializers.keys());
    expect(names.has('blocks.1.attn.qkv.weight_transposed')).toBe(true);
    expect(names.has('blocks.2.attn.qkv.weight_transposed')).toBe(false);
    expect(names.has('blocks.0.attn.qkv.bias')).toBe(false);
    expect(names.has('pos_embed')).toBe(true);
    expect(() => exportVisionTransformerToOnnx(encoder, { imageSize: 8 })).toThrow(/native 12 px with learned position embeddings/);
    tf.dispose([images, reference]);
  });

  it('exports sine-cosine encoders at a lower resolution (native-extent and patch-index positions), with a fixed batch', async () => {
    for (const positionScale of ['native-extent', 'patch-index'] as const) {
      const { encoder } = buildEncoder({ ...visionTransformerPresets.tiny, positionScale }, 41);
      const images = seededImages(new SeededRandom(positionScale), 2, 8);
      const reference = encoder.forward(images);
      const exported = exportVisionTransformerToOnnx(encoder, { imageSize: 8, batchSize: 2 });
      expect(exported.tokens).toBe(4);
      const { embeddings } = await runExported(exported.bytes, images, 'nchw');
      expect(relativeError(embeddings?.values ?? [], reference.dataSync())).toBeLessThanOrEqual(1e-4);
      expect(decodeModel(exported.bytes).inputs).toEqual([{ name: 'pixel_values', dims: [2, 3, 8, 8] }]);
      expect(decodeModel(exportVisionTransformerToOnnx(encoder, { inputLayout: 'nhwc' }).bytes).inputs).toEqual([{ name: 'pixel_values', dims: ['batch', 16, 16, 3] }]);
      tf.dispose([images, reference]);
    }
  });

  it("normalization 'caller' leaves mean/std out of the graph and returns them as encoder options", async () => {
    const { encoder } = buildEncoder({ ...visionTransformerPresets.tiny, pixelMean: [0.3, 0.4, 0.5], pixelStd: [0.2, 0.25, 0.3] }, 51);
    const exported = exportVisionTransformerToOnnx(encoder, { normalization: 'caller' });
    expect(exported.encoderOptions.normalization).toEqual({ valueRange: [0, 1], mean: [0.3, 0.4, 0.5], std: [0.2, 0.25, 0.3] });
    const images = seededImages(new SeededRandom('caller'), 2, 16);
    const normalized = tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d([0.3, 0.4, 0.5])), tf.tensor1d([0.2, 0.25, 0.3]))) as tf.Tensor4D;
    const reference = encoder.forward(images);
    const { embeddings } = await runExported(exported.bytes, normalized, 'nchw');
    expect(relativeError(embeddings?.values ?? [], reference.dataSync())).toBeLessThanOrEqual(1e-4);
    const initializers = [...decodeModel(exported.bytes).initializers.keys()];
    expect(initializers).not.toContain('pixel_mean');
    expect(exportVisionTransformerToOnnx(encoder).encoderOptions.normalization).toEqual({});
    tf.dispose([images, normalized, reference]);
  });

  it('names intermediate values and weights after timm, and records the export in the metadata', () => {
    const { encoder } = buildEncoder(visionTransformerPresets.tiny, 61);
    const model = decodeModel(exportVisionTransformerToOnnx(encoder).bytes);
    const produced = model.nodes.flatMap((node) => node.outputs);
    expect(produced).toEqual(expect.arrayContaining(['normalized_pixels', 'patch_embeddings', 'blocks.0.output', 'encoder_tokens', 'embeddings', 'pooled']));
    const { initializers } = model;
    expect(initializers.get('patch_embed.proj.weight')).toEqual([16, 3, 4, 4]);
    expect(initializers.get('blocks.0.attn.qkv.weight_transposed')).toEqual([16, 48]);
    expect(initializers.get('blocks.0.mlp.fc1.weight_transposed')).toEqual([16, 32]);
    expect(new Set(model.nodes.map((node) => node.opType))).toEqual(
      new Set(['Sub', 'Div', 'Conv', 'Reshape', 'Transpose', 'Add', 'LayerNormalization', 'MatMul', 'Gather', 'Mul', 'Softmax', 'Erf', 'Identity', 'ReduceMean']),
    );
    expect(model.metadata).toMatchObject({ 'reca.image_size': '16', 'reca.output_layer': 'last' });
    expect([model.producerName, model.irVersion, model.opsetVersion]).toEqual(['@reca/onnx', 8, 17]);
  });

  it('refuses sizes, batch sizes and projectors it cannot export', () => {
    const { encoder, projector } = buildEncoder(visionTransformerPresets.tiny, 71, 8);
    expect(() => exportVisionTransformerToOnnx(encoder, { imageSize: 10 })).toThrow(InvalidArgumentError);
    expect(() => exportVisionTransformerToOnnx(encoder, { imageSize: 10 })).toThrow(/multiple of the patch size 4, got 10/);
    expect(() => exportVisionTransformerToOnnx(encoder, { batchSize: 0 })).toThrow(/'dynamic' or a positive integer/);
    const wide = new Projector({ inFeatures: 32, outFeatures: 8, random: new SeededRandom(0) });
    created.push(wide);
    expect(() => exportVisionTransformerToOnnx(encoder, { projector: wide })).toThrow(/reads width 32, but the encoder's tokens have width 16/);
    expect(() => exportVisionTransformerToOnnx(encoder, { projector, outputLayer: 'penultimate' })).toThrow(/needs depth ≥ 2/);
  });
});
