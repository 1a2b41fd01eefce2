import { SeededRandom, tf } from '@reca/runtime';
import { VisionTransformerEncoder, visionTransformerPresets } from '@reca/understanding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxTestdataSkipReason, readTestdataTensor, testdataModel } from '../__fixtures__/onnx-testdata.js';
import { randomizeWeights } from '../__fixtures__/randomize-weights.js';
import { relativeError } from '../__fixtures__/relative-error.js';
import { seededImages } from '../__fixtures__/seeded-images.js';
import { ExecutionProviderUnavailableError } from '../errors/execution-provider-unavailable-error.js';
import { OnnxInputMismatchError } from '../errors/onnx-input-mismatch-error.js';
import { OnnxModelMismatchError } from '../errors/onnx-model-mismatch-error.js';
import { exportVisionTransformerToOnnx } from '../export/export-vision-transformer-to-onnx.js';
import { listOnnxExecutionProviders } from '../session/create-onnx-session.js';
import { OnnxUnderstandingEncoder } from './onnx-understanding-encoder.js';

let vit: VisionTransformerEncoder;
const encoders: OnnxUnderstandingEncoder[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  const random = new SeededRandom(5);
  vit = new VisionTransformerEncoder(visionTransformerPresets.tiny, random);
  randomizeWeights(vit, random.fork('weights'));
});

afterAll(async () => {
  vit.dispose();
  for (const encoder of encoders) await encoder.dispose();
});

async function open(options: Parameters<typeof OnnxUnderstandingEncoder.create>[0]): Promise<OnnxUnderstandingEncoder> {
  const encoder = await OnnxUnderstandingEncoder.create(options);
  encoders.push(encoder);
  return encoder;
}

/** Expects `promise` to reject with an error of `errorClass` whose message matches every pattern. */
async function expectRejection(promise: Promise<unknown>, errorClass: { isInstance(error: unknown): boolean }, ...patterns: RegExp[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  expect(errorClass.isInstance(error), String(error)).toBe(true);
  for (const pattern of patterns) expect((error as Error).message).toMatch(pattern);
}

describe('OnnxUnderstandingEncoder on an exported ViT', () => {
  it('hands tfjs float32 [batch, tokens, width] equal to the tfjs encoder, owned by the caller and not leaking', async () => {
    const exported = exportVisionTransformerToOnnx(vit);
    const encoder = await open({ model: exported.bytes, modelName: 'tiny-vit.onnx', ...exported.encoderOptions });
    expect(encoder.info).toMatchObject({ inputName: 'pixel_values', inputSize: { height: 16, width: 16 }, outputName: 'embeddings', fixedBatchSize: null });
    const images = seededImages(new SeededRandom('encode'), 3, 16);
    const reference = vit.forward(images);
    const before = tf.memory().numTensors;
    const embeddings = await encoder.encode(images);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(embeddings.dtype).toBe('float32');
    expect(embeddings.shape).toEqual([3, 16, 16]);
    expect(relativeError(embeddings.dataSync(), reference.dataSync())).toBeLessThanOrEqual(1e-4);
    tf.dispose([images, reference, embeddings]);
  });

  it('is a constant to the gradient tape: no gradient reaches any variable through the embeddings', async () => {
    const exported = exportVisionTransformerToOnnx(vit);
    const encoder = await open({ model: exported.bytes, ...exported.encoderOptions });
    const images = seededImages(new SeededRandom('tape'), 2, 16);
    const embeddings = await encoder.encode(images);
    const readout = tf.variable(tf.ones([16]), true, 'onnx-test/readout');
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(embeddings, readout)) as tf.Scalar, [readout, ...vit.parameters()]);
    // Only the read-out gets a gradient (the column sums of the embeddings); the encoder's variables are unreachable.
    expect(Object.keys(grads)).toEqual([readout.name]);
    const columnSums = tf.sum(embeddings, [0, 1]);
    expect(relativeError(grads[readout.name]?.dataSync() ?? [], columnSums.dataSync())).toBeLessThan(1e-6);
    tf.dispose([images, embeddings, readout, value, columnSums, ...Object.values(grads)]);
  });

  it('splits batches by maxBatchSize and pads a fixed batch dimension, with the same results', async () => {
    const images = seededImages(new SeededRandom('batches'), 5, 16);
    const reference = vit.forward(images);
    const dynamic = exportVisionTransformerToOnnx(vit);
    const split = await open({ model: dynamic.bytes, ...dynamic.encoderOptions, maxBatchSize: 2 });
    const fixed = exportVisionTransformerToOnnx(vit, { batchSize: 2 });
    const padded = await open({ model: fixed.bytes, ...fixed.encoderOptions, maxBatchSize: 7 });
    expect(padded.info.fixedBatchSize).toBe(2);
    expect(padded.info.maxBatchSize).toBe(2);
    for (const encoder of [split, padded]) {
      const embeddings = await encoder.encode(images);
      expect(embeddings.shape).toEqual([5, 16, 16]);
      expect(relativeError(embeddings.dataSync(), reference.dataSync())).toBeLessThanOrEqual(1e-4);
      embeddings.dispose();
    }
    tf.dispose([images, reference]);
  });

  it('selects the pooled output as one token, and a named intermediate value exposed from inside the graph', async () => {
    const exported = exportVisionTransformerToOnnx(vit);
    const images = seededImages(new SeededRandom('outputs'), 2, 16);
    const tokens = vit.forward(images);
    const pooled = await open({ model: exported.bytes, output: { type: 'pooled' } });
    expect(pooled.info.outputName).toBe('pooled');
    const pooledEmbeddings = await pooled.encode(images);
    expect(pooledEmbeddings.shape).toEqual([2, 1, 16]);
    const mean = tf.mean(tokens, 1, true);
    expect(relativeError(pooledEmbeddings.dataSync(), mean.dataSync())).toBeLessThanOrEqual(1e-4);

    // 'blocks.0.output' is the residual stream before the final norm: tfjs reference = tokens without `norm`.
    const intermediate = await open({ model: exported.bytes, output: { type: 'patch-tokens', name: 'blocks.0.output' } });
    expect(intermediate.info.outputIsIntermediate).toBe(true);
    const hidden = await intermediate.encode(images);
    const penultimate = new VisionTransformerEncoder({ ...visionTransformerPresets.tiny, depth: 2, outputLayer: 'penultimate' }, new SeededRandom(0));
    penultimate.loadNamedWeights(
      new Map([...vit.namedWeights()].flatMap(([name, value]) => (name.startsWith('blocks.0.') ? [[name, value], [name.replace('blocks.0.', 'blocks.1.'), value]] : [[name, value]]))),
    );
    const reference = penultimate.forward(images); // block 0 only, no final norm
    expect(relativeError(hidden.dataSync(), reference.dataSync())).toBeLessThanOrEqual(1e-4);
    expect(relativeError(hidden.dataSync(), tokens.dataSync())).toBeGreaterThan(1e-2); // really another tensor

    // Dropping a leading token (as for CLIP's class token).
    const withoutFirst = await open({ model: exported.bytes, output: { type: 'patch-tokens', name: 'embeddings', prefixTokens: 1 } });
    const dropped = await withoutFirst.encode(images);
    const expectedDropped = tf.slice(tokens, [0, 1, 0], [-1, -1, -1]);
    expect(dropped.shape).toEqual([2, 15, 16]);
    expect(relativeError(dropped.dataSync(), expectedDropped.dataSync())).toBeLessThanOrEqual(1e-4);
    penultimate.dispose();
    tf.dispose([images, tokens, pooledEmbeddings, mean, hidden, reference, dropped, expectedDropped]);
  });

  it('normalises with mean/std after mapping to the value range, lays out NHWC, and resizes when asked', async () => {
    // Exported without normalisation: the encoder must apply the ViT's mean/std itself. Byte range: mean/std × 255.
    const exported = exportVisionTransformerToOnnx(vit, { normalization: 'caller', inputLayout: 'nhwc' });
    const byteRange = await open({
      model: exported.bytes,
      inputLayout: 'nhwc',
      normalization: { valueRange: [0, 255], mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    });
    const images = seededImages(new SeededRandom('normalise'), 2, 16);
    const reference = vit.forward(images);
    const embeddings = await byteRange.encode(images);
    expect(relativeError(embeddings.dataSync(), reference.dataSync())).toBeLessThanOrEqual(1e-4);
    const unnormalised = await open({ model: exported.bytes, inputLayout: 'nhwc' });
    const wrong = await unnormalised.encode(images);
    expect(relativeError(wrong.dataSync(), reference.dataSync())).toBeGreaterThan(1e-2);

    const resizing = await open({ model: exported.bytes, inputLayout: 'nhwc', normalization: exported.encoderOptions.normalization, resize: 'bilinear' });
    const small = seededImages(new SeededRandom('resize'), 2, 8);
    const resized = tf.image.resizeBilinear(small, [16, 16], false, true);
    const resizedReference = vit.forward(resized);
    const fromSmall = await resizing.encode(small);
    expect(relativeError(fromSmall.dataSync(), resizedReference.dataSync())).toBeLessThanOrEqual(1e-4);
    tf.dispose([images, reference, embeddings, wrong, small, resized, resizedReference, fromSmall]);
  });
});

describe('OnnxUnderstandingEncoder validation', () => {
  it('rejects images of another dtype, rank, channel count or size, naming the tensor, the model and its input', async () => {
    const exported = exportVisionTransformerToOnnx(vit);
    const encoder = await open({ model: exported.bytes, modelName: 'vit-16px.onnx', ...exported.encoderOptions });
    const cases: Array<[tf.Tensor, RegExp]> = [
      [tf.zeros([1, 16, 16, 3], 'int32'), /expected dtype float32.*got dtype int32/],
      [tf.zeros([16, 16, 3]), /got shape \[16, 16, 3\]/],
      [tf.zeros([1, 16, 16, 4]), /\[batch ≥ 1, height, width, 3\].*got shape \[1, 16, 16, 4\]/],
      [tf.zeros([1, 8, 8, 3]), /expected shape \[\*, 16, 16, 3\].*resize: 'bilinear'.*got shape \[1, 8, 8, 3\]/],
    ];
    for (const [images, pattern] of cases) {
      await expectRejection(encoder.encode(images as tf.Tensor4D), OnnxInputMismatchError, /tensor 'images' for input 'pixel_values' of ONNX model 'vit-16px.onnx'/, pattern);
      images.dispose();
    }
  });

  it('rejects missing outputs, outputs that no encoder has, a wrong declared size, and bytes that are not a model', async () => {
    const exported = exportVisionTransformerToOnnx(vit);
    const model = exported.bytes;
    const modelName = 'vit.onnx';
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model, modelName, output: { type: 'patch-tokens', name: 'last_hidden_state' } }),
      OnnxModelMismatchError,
      /ONNX model 'vit.onnx', tensor 'last_hidden_state'/,
      /no such value/,
    );
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model, modelName, output: { type: 'feature-map' } }),
      OnnxModelMismatchError,
      /float32 feature-map output \[batch, channels, height, width\] \(the model is not an encoder\)/,
      /'embeddings' float32 \[batch, 16, 16\], 'pooled' float32 \[batch, 16\]/,
    );
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model, modelName, output: { type: 'patch-tokens', name: 'pooled' } }),
      OnnxModelMismatchError,
      /tensor 'pooled': expected a float32 patch-tokens output \[batch, tokens, width\], got float32 \[batch, 16\]/,
    );
    await expectRejection(OnnxUnderstandingEncoder.create({ model, modelName, inputSize: 32 }), OnnxModelMismatchError, /tensor 'pixel_values'.*height 32 and width 32/);
    await expectRejection(OnnxUnderstandingEncoder.create({ model, modelName, inputLayout: 'nhwc' }), OnnxModelMismatchError, /3 channels at axis 3/);
    await expectRejection(OnnxUnderstandingEncoder.create({ model, modelName, inputName: 'image' }), OnnxModelMismatchError, /tensor 'image': expected an input of that name/);
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model: Uint8Array.of(1, 2, 3, 4, 5), modelName: 'garbage.onnx' }),
      OnnxModelMismatchError,
      /ONNX model 'garbage.onnx', tensor '\(model\)': expected a model file ONNX Runtime can load/,
    );
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model, normalization: { mean: [0.5, 0.5] } }),
      { isInstance: (error: unknown) => error instanceof Error && error.name === 'RECA_InvalidArgumentError' },
      /normalization.mean/,
    );
  });

  it('checks every run: a prefix that leaves no token is an output mismatch', async () => {
    const exported = exportVisionTransformerToOnnx(vit);
    const encoder = await open({ model: exported.bytes, modelName: 'vit.onnx', output: { type: 'patch-tokens', prefixTokens: 16 } });
    const images = seededImages(new SeededRandom('prefix'), 1, 16);
    await expectRejection(encoder.encode(images), OnnxModelMismatchError, /tensor 'embeddings': expected more than prefixTokens 16 tokens, got shape \[1, 16, 16\]/);
    images.dispose();
  });

  it("names the provider and the model when 'cuda' is not installed", async () => {
    const cuda = listOnnxExecutionProviders().find((entry) => entry.executionProvider === 'cuda');
    if (cuda?.available) return; // a CUDA installation: nothing to refuse (the device check runs it)
    const exported = exportVisionTransformerToOnnx(vit);
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model: exported.bytes, modelName: 'vit.onnx', executionProvider: 'cuda' }),
      ExecutionProviderUnavailableError,
      /execution provider 'cuda' \(asked for by model 'vit.onnx'\) is unavailable/,
      /libonnxruntime_providers_cuda|not installed|could not start/,
    );
  });

  it.runIf((process.env.RECA_TEST_ONNX_PROVIDERS ?? '').split(',').includes('webgpu'))(
    'runs on the WebGPU provider with the CPU provider’s results (RECA_TEST_ONNX_PROVIDERS=webgpu)',
    async () => {
      const exported = exportVisionTransformerToOnnx(vit);
      const images = seededImages(new SeededRandom('webgpu'), 2, 16);
      const reference = vit.forward(images);
      const encoder = await open({ model: exported.bytes, ...exported.encoderOptions, executionProvider: 'webgpu' });
      const embeddings = await encoder.encode(images);
      expect(relativeError(embeddings.dataSync(), reference.dataSync())).toBeLessThanOrEqual(1e-3);
      tf.dispose([images, reference, embeddings]);
    },
  );
});

describe.skipIf(onnxTestdataSkipReason !== null)(`libonnx-testdata models${onnxTestdataSkipReason ? ` (skipped: ${onnxTestdataSkipReason})` : ''}`, () => {
  it('reads a PyTorch Conv2d (stride 3, fixed batch 2) as a feature-map encoder, matching the reference outputs', async () => {
    const name = 'pytorch-converted/test_Conv2d_strided';
    const input = readTestdataTensor(name, 'input_0.pb'); // [2, 3, 6, 6] NCHW
    const output = readTestdataTensor(name, 'output_0.pb'); // [2, 4, 2, 2]
    expect(input.dims).toEqual([2, 3, 6, 6]);
    const encoder = await open({ model: testdataModel(name), output: { type: 'feature-map' } });
    expect(encoder.info).toMatchObject({ inputName: '0', outputName: '3', fixedBatchSize: 2, inputSize: { height: 6, width: 6 } });
    // Three images (the reference pair and one more): the fixed batch of 2 runs twice, the padding is dropped.
    const nchw = tf.tensor4d(input.values, [2, 3, 6, 6]);
    const images = tf.concat([tf.transpose(nchw, [0, 2, 3, 1]), tf.fill([1, 6, 6, 3], 0.5)]) as tf.Tensor4D;
    const tokens = await encoder.encode(images);
    expect(tokens.shape).toEqual([3, 4, 4]);
    const expected = tf.reshape(tf.transpose(tf.tensor4d(output.values, [2, 4, 2, 2]), [0, 2, 3, 1]), [2, 4, 4]);
    const firstTwo = tf.slice(tokens, [0, 0, 0], [2, -1, -1]);
    expect(relativeError(firstTwo.dataSync(), expected.dataSync())).toBeLessThanOrEqual(1e-5);
    tf.dispose([nchw, images, tokens, expected, firstTwo]);
  });

  it('reads a flatten model as a pooled encoder with 2 channels, matching the reference output', async () => {
    const name = 'pytorch-operator/test_operator_flatten';
    const input = readTestdataTensor(name, 'input_0.pb'); // [1, 2, 3, 4]
    const output = readTestdataTensor(name, 'output_0.pb'); // [1, 24]
    const encoder = await open({ model: testdataModel(name), channels: 2, output: { type: 'pooled' } });
    const images = tf.transpose(tf.tensor4d(input.values, [1, 2, 3, 4]), [0, 2, 3, 1]) as tf.Tensor4D;
    const pooled = await encoder.encode(images);
    expect(pooled.shape).toEqual([1, 1, 24]);
    expect(Array.from(pooled.dataSync())).toEqual(Array.from(output.values));
    tf.dispose([images, pooled]);
  });

  it('refuses models that are not image encoders, naming the model file and the tensor', async () => {
    const softmax = testdataModel('pytorch-converted/test_Softmax'); // input '0' float32 [10, 20]
    await expectRejection(OnnxUnderstandingEncoder.create({ model: softmax }), OnnxModelMismatchError, new RegExp(`ONNX model '${softmax}', tensor '0'`), /rank-4 image input/, /got float32 \[10, 20\]/);
    const matmul = testdataModel('node/test_matmul_3d'); // inputs 'a', 'b'
    await expectRejection(OnnxUnderstandingEncoder.create({ model: matmul }), OnnxModelMismatchError, /tensor 'a, b': expected exactly one input/);
    await expectRejection(OnnxUnderstandingEncoder.create({ model: matmul, inputName: 'a' }), OnnxModelMismatchError, /tensor 'b': expected no input besides the image input/);
    const tanh = testdataModel('pytorch-converted/test_Tanh'); // [2, 3, 4, 5] → [2, 3, 4, 5]: no token output
    await expectRejection(OnnxUnderstandingEncoder.create({ model: tanh }), OnnxModelMismatchError, /tensor '1': expected a float32 patch-tokens output/, /the model is not an encoder/);
    const argmax = testdataModel('node/test_maxpool_with_argmax_2d_precomputed_strides'); // y float32, z int64
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model: argmax, channels: 1, output: { type: 'feature-map', name: 'z' } }),
      OnnxModelMismatchError,
      /tensor 'z': expected a float32 feature-map output/,
      /got int64 \[1, 1, 2, 2\]/,
    );
    await expectRejection(
      OnnxUnderstandingEncoder.create({ model: testdataModel('pytorch-converted/test_Conv2d'), output: { type: 'feature-map', name: 'not_there' } }),
      OnnxModelMismatchError,
      /tensor 'not_there'.*no such value \(the graph has 1 node outputs, the last ones '3'\)/,
    );
  });
});
