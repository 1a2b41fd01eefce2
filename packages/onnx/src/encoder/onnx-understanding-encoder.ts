import { readFile } from 'node:fs/promises';
import { type InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { InvalidArgumentError, tf } from '@reca/runtime';
import { ExecutionProviderUnavailableError } from '../errors/execution-provider-unavailable-error.js';
import { OnnxInputMismatchError } from '../errors/onnx-input-mismatch-error.js';
import { OnnxModelMismatchError } from '../errors/onnx-model-mismatch-error.js';
import { createOnnxSession, type CreateOnnxSessionOptions } from '../session/create-onnx-session.js';
import type { OnnxExecutionProvider } from '../session/execution-provider.js';
import type { EncoderNormalization } from './encoder-normalization.js';
import type { EncoderOutputSelection } from './encoder-output-selection.js';
import { exposeIntermediateOutput } from './expose-intermediate-output.js';
import { type HostTensor, modelOutputToTokens, outputLayoutOf, outputRankOf } from './model-output-to-tokens.js';
import type { EncoderInputLayout, OnnxUnderstandingEncoderOptions } from './onnx-understanding-encoder-options.js';

/** A model value's dtype and shape as ONNX Runtime reports them (symbolic dimensions as strings). */
export interface OnnxValueDescription {
  readonly name: string;
  /** ONNX Runtime's type name (`'float32'`, `'int64'`, …), or `'non-tensor'`. */
  readonly type: string;
  /** Dimensions; a string is symbolic (e.g. `'batch'`); `undefined` when unknown (an exposed intermediate value). */
  readonly shape: ReadonlyArray<number | string> | undefined;
}

/** Everything an {@link OnnxUnderstandingEncoder} resolved about its model. */
export interface OnnxUnderstandingEncoderInfo {
  readonly modelName: string;
  readonly executionProvider: OnnxExecutionProvider;
  readonly inputName: string;
  readonly inputLayout: EncoderInputLayout;
  /** The image size the model reads (pixels). */
  readonly inputSize: { readonly height: number; readonly width: number };
  readonly channels: number;
  /** What happens to images of another size: refused (`'none'`) or resized bilinearly. */
  readonly resize: 'none' | 'bilinear';
  /** Batch size of every run: fixed by the model, or `null` (any, up to `maxBatchSize`). */
  readonly fixedBatchSize: number | null;
  readonly maxBatchSize: number;
  /** The output read, and whether it was exposed from inside the graph. */
  readonly outputName: string;
  readonly outputIsIntermediate: boolean;
  readonly output: EncoderOutputSelection;
  readonly normalization: Required<EncoderNormalization>;
  readonly inputs: readonly OnnxValueDescription[];
  readonly outputs: readonly OnnxValueDescription[];
}

const defaultMaxBatchSize = 32;

/**
 * An understanding encoder backed by ONNX Runtime (`onnxruntime-node`): a pretrained vision encoder exported to ONNX
 * (CLIP, SigLIP, InternViT, or RecA-TS's own ViT via `exportVisionTransformerToOnnx`) used as the **frozen**
 * understanding path of any adapter.
 *
 * - Execution: the CPU provider by default, the bundled WebGPU provider or CUDA when asked for (never a silent
 *   fallback; {@link ExecutionProviderUnavailableError} names what was asked for).
 * - Input: images float32 `[batch, height, width, channels]` in [0, 1] (the contract's layout), mapped to the declared
 *   value range, normalised by mean/std, resized if allowed, laid out NCHW or NHWC, and run in batches of at most
 *   `maxBatchSize` (or the model's fixed batch size).
 * - Output: patch tokens, a pooled vector or a CNN feature map — a graph output or any named intermediate value —
 *   always handed to tfjs as float32 `[batch, tokens, width]`.
 * - Gradients: none, by construction. The embeddings are a new tfjs tensor made from host values; nothing links them
 *   to a variable, so a gradient tape sees a constant (the contract's `'stop'` policy).
 *
 * ONNX Runtime is asynchronous, while the contract's `doEncodeUnderstanding` is synchronous: to use the encoder in
 * `recaStep`, wrap the model with `withOnnxUnderstanding` (it precomputes the embeddings of a step's degraded images
 * before the step) or call {@link encode} yourself where an asynchronous call is possible.
 *
 * @example
 * const encoder = await OnnxUnderstandingEncoder.create({
 *   model: 'siglip-vision.onnx',
 *   normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
 *   output: { type: 'patch-tokens', name: 'last_hidden_state' },
 * });
 * const embeddings = await encoder.encode(images); // float32 [batch, 196, 768]
 */
export class OnnxUnderstandingEncoder {
  /** What was resolved about the model (input, output, sizes, provider). */
  readonly info: OnnxUnderstandingEncoderInfo;
  readonly #session: InferenceSession;
  #released = false;

  private constructor(session: InferenceSession, info: OnnxUnderstandingEncoderInfo) {
    this.#session = session;
    this.info = info;
  }

  /**
   * Loads the model, checks it against the declared input and output, and starts an ONNX Runtime session.
   *
   * @throws OnnxModelMismatchError (naming the model and the tensor) when the image input is not a float32 rank-4
   *   tensor with the declared channels and size, other inputs would need values, or the selected output is missing,
   *   not float32 or of a rank the selection cannot read (the model is not an encoder).
   * @throws ExecutionProviderUnavailableError when the provider asked for cannot run here.
   * @throws InvalidArgumentError for inconsistent options (mean/std lengths, non-positive sizes, …).
   */
  static async create(options: OnnxUnderstandingEncoderOptions): Promise<OnnxUnderstandingEncoder> {
    const {
      model,
      executionProvider = 'cpu',
      inputLayout = 'nchw',
      channels = 3,
      resize = 'none',
      output = { type: 'patch-tokens' } as EncoderOutputSelection,
      intraOpThreads,
      logSeverityLevel = 3,
    } = options;
    const modelName = options.modelName ?? (typeof model === 'string' ? model : '<in-memory model>');
    if (typeof model !== 'string' && !(model instanceof Uint8Array)) {
      throw new InvalidArgumentError({ argument: 'model', message: 'must be a path to an .onnx file or its bytes (Uint8Array)' });
    }
    if (inputLayout !== 'nchw' && inputLayout !== 'nhwc') {
      throw new InvalidArgumentError({ argument: 'inputLayout', message: `must be 'nchw' or 'nhwc', got '${String(inputLayout)}'` });
    }
    if (resize !== 'none' && resize !== 'bilinear') {
      throw new InvalidArgumentError({ argument: 'resize', message: `must be 'none' or 'bilinear', got '${String(resize)}'` });
    }
    assertPositiveInteger(channels, 'channels');
    if (!(output.type in outputRankOf)) {
      throw new InvalidArgumentError({ argument: 'output.type', message: `must be 'patch-tokens', 'pooled' or 'feature-map', got '${String(output.type)}'` });
    }
    if (output.type === 'patch-tokens' && output.prefixTokens !== undefined && !(Number.isInteger(output.prefixTokens) && output.prefixTokens >= 0)) {
      throw new InvalidArgumentError({ argument: 'output.prefixTokens', message: `must be a non-negative integer, got ${output.prefixTokens}` });
    }
    const normalization = resolveNormalization(options.normalization, channels);
    const sessionOptions = { modelName, executionProvider, logSeverityLevel, ...(intraOpThreads === undefined ? {} : { intraOpThreads }) };

    let session = await loadSession(model, sessionOptions);
    let outputIsIntermediate = false;
    if (output.name !== undefined && !session.outputNames.includes(output.name)) {
      // Not a graph output: expose the intermediate value and start a session on the rewritten model.
      const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
      const rewritten = exposeIntermediateOutput(bytes, output.name, modelName);
      await session.release();
      session = await loadSession(rewritten, sessionOptions);
      outputIsIntermediate = true;
    }
    try {
      const inputs = describeValues(session.inputMetadata);
      const outputs = describeValues(session.outputMetadata).map((value) =>
        outputIsIntermediate && value.name === output.name ? { ...value, shape: undefined } : value,
      );
      const input = resolveInput(inputs, options.inputName, modelName);
      const { inputSize, fixedBatchSize } = checkInput(input, inputLayout, channels, options.inputSize, modelName);
      const outputName = resolveOutput(outputs, output, modelName);
      const maxBatchSize = fixedBatchSize ?? options.maxBatchSize ?? defaultMaxBatchSize;
      if (fixedBatchSize === null) assertPositiveInteger(maxBatchSize, 'maxBatchSize');
      const info: OnnxUnderstandingEncoderInfo = {
        modelName,
        executionProvider,
        inputName: input.name,
        inputLayout,
        inputSize,
        channels,
        resize,
        fixedBatchSize,
        maxBatchSize,
        outputName,
        outputIsIntermediate,
        output,
        normalization,
        inputs,
        outputs,
      };
      return new OnnxUnderstandingEncoder(session, info);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /**
   * Encodes images into understanding embeddings.
   *
   * @param images - float32 `[batch, height, width, channels]` in [0, 1]; height × width the declared input size (or
   *   any size with `resize: 'bilinear'`). Not disposed.
   * @returns float32 `[batch, tokens, width]`, a new tensor the caller owns, with no gradient path to anything.
   * @throws OnnxInputMismatchError when `images` has another rank, channel count, size or dtype.
   * @throws OnnxModelMismatchError when a run returns an output of another dtype, rank or batch size than declared.
   */
  async encode(images: tf.Tensor4D): Promise<tf.Tensor3D> {
    const { values, shape } = await this.encodeToHost(images);
    return tf.tensor3d(values, shape as [number, number, number], 'float32');
  }

  /**
   * {@link encode} without creating a tfjs tensor: the embeddings' host values.
   *
   * @param images - float32 `[batch, height, width, channels]` in [0, 1].
   * @returns `values` float32 `[batch, tokens, width]` in row-major order, and `shape`.
   */
  async encodeToHost(images: tf.Tensor4D): Promise<HostTensor> {
    this.#assertOpen();
    const pixels = await this.#preprocess(images); // [b, C, H, W] or [b, H, W, C] values
    const batchSize = images.shape[0];
    const { maxBatchSize, fixedBatchSize, inputLayout, channels, inputSize } = this.info;
    const perImage = channels * inputSize.height * inputSize.width;
    const chunks: HostTensor[] = [];
    for (let start = 0; start < batchSize; start += maxBatchSize) {
      const count = Math.min(maxBatchSize, batchSize - start);
      const runBatch = fixedBatchSize ?? count;
      // A fixed batch dimension is filled with zero images after the last real one; their outputs are dropped.
      const chunk = new Float32Array(runBatch * perImage);
      chunk.set(pixels.subarray(start * perImage, (start + count) * perImage));
      const dims =
        inputLayout === 'nchw' ? [runBatch, channels, inputSize.height, inputSize.width] : [runBatch, inputSize.height, inputSize.width, channels];
      const tokens = modelOutputToTokens(await this.#run(chunk, dims, runBatch), this.info.output);
      chunks.push(count === runBatch ? tokens : { values: tokens.values.subarray(0, count * (tokens.values.length / runBatch)), shape: [count, ...tokens.shape.slice(1)] });
    }
    if (chunks.length === 1) {
      const [only] = chunks as [HostTensor];
      return only;
    }
    const [, tokens, width] = (chunks[0] as HostTensor).shape as [number, number, number];
    const values = new Float32Array(batchSize * tokens * width);
    let offset = 0;
    for (const chunk of chunks) {
      values.set(chunk.values, offset);
      offset += chunk.values.length;
    }
    return { values, shape: [batchSize, tokens, width] };
  }

  /** Ends the ONNX Runtime session. Calling it again does nothing; {@link encode} afterwards throws. */
  async dispose(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#session.release();
  }

  /** Checks, resizes, normalises and lays out the images; returns the model input's host values. */
  async #preprocess(images: tf.Tensor4D): Promise<Float32Array> {
    const { modelName, inputName, channels, inputSize, inputLayout, normalization } = this.info;
    const mismatch = (expected: string, actual: string) => new OnnxInputMismatchError({ tensorName: 'images', modelName, inputName, expected, actual });
    if (!(images instanceof tf.Tensor)) throw mismatch('a tf.Tensor', typeof images);
    if (images.dtype !== 'float32') throw mismatch('dtype float32 (values in [0, 1])', `dtype ${images.dtype}`);
    const shapeText = `shape [${images.shape.join(', ')}]`;
    if (images.rank !== 4 || images.shape[3] !== channels || images.shape[0] === 0) {
      throw mismatch(`shape [batch ≥ 1, height, width, ${channels}] (NHWC, as the model contract passes images)`, shapeText);
    }
    const sameSize = images.shape[1] === inputSize.height && images.shape[2] === inputSize.width;
    if (!sameSize && this.info.resize === 'none') {
      throw mismatch(`shape [*, ${inputSize.height}, ${inputSize.width}, ${channels}] (the model's input size; pass resize: 'bilinear' to resize)`, shapeText);
    }
    const [low, high] = normalization.valueRange;
    const prepared = tf.tidy(() => {
      let pixels: tf.Tensor = sameSize ? images : tf.image.resizeBilinear(images, [inputSize.height, inputSize.width], false, true);
      if (low !== 0 || high !== 1) pixels = tf.add(tf.mul(pixels, high - low), low);
      if (normalization.mean.some((value) => value !== 0) || normalization.std.some((value) => value !== 1)) {
        pixels = tf.div(tf.sub(pixels, tf.tensor1d([...normalization.mean])), tf.tensor1d([...normalization.std]));
      }
      return inputLayout === 'nchw' ? tf.transpose(pixels, [0, 3, 1, 2]) : pixels.clone();
    });
    try {
      return (await prepared.data()) as Float32Array;
    } finally {
      prepared.dispose();
    }
  }

  /** One ONNX Runtime run; checks the output against the selection. */
  async #run(pixels: Float32Array, dims: readonly number[], batchSize: number): Promise<HostTensor> {
    const { inputName, outputName, modelName, output } = this.info;
    const feeds = { [inputName]: new OrtTensor('float32', pixels, dims) };
    const results = await this.#session.run(feeds, [outputName]);
    const value = results[outputName];
    const mismatch = (expected: string, actual: string) =>
      new OnnxModelMismatchError({ modelName, tensorName: outputName, expected, actual, hint: 'The model is not the encoder the output selection describes' });
    if (!(value instanceof OrtTensor)) throw mismatch('a tensor output', 'a non-tensor value');
    try {
      const rank = outputRankOf[output.type];
      const shape = value.dims.map(Number);
      if (value.type !== 'float32') throw mismatch('float32', `${value.type} [${shape.join(', ')}]`);
      if (shape.length !== rank || shape[0] !== batchSize) {
        throw mismatch(`a ${output.type} output ${outputLayoutOf[output.type]} with batch ${batchSize}`, `shape [${shape.join(', ')}]`);
      }
      if (output.type === 'patch-tokens' && (output.prefixTokens ?? 0) >= (shape[1] as number)) {
        throw mismatch(`more than prefixTokens ${output.prefixTokens} tokens`, `shape [${shape.join(', ')}]`);
      }
      return { values: value.data as Float32Array, shape };
    } finally {
      for (const result of Object.values(results)) if (result instanceof OrtTensor && result !== value) result.dispose();
    }
  }

  #assertOpen(): void {
    if (this.#released) {
      throw new InvalidArgumentError({ argument: 'encoder', message: `the ONNX session of '${this.info.modelName}' was disposed` });
    }
  }
}

function assertPositiveInteger(value: number, argument: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
}

async function loadSession(model: string | Uint8Array, options: Omit<CreateOnnxSessionOptions, 'model'>): Promise<InferenceSession> {
  try {
    return await createOnnxSession({ model, ...options });
  } catch (error) {
    if (ExecutionProviderUnavailableError.isInstance(error) || InvalidArgumentError.isInstance(error)) throw error;
    throw new OnnxModelMismatchError({
      modelName: options.modelName,
      tensorName: '(model)',
      expected: 'a model file ONNX Runtime can load',
      actual: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
}

function resolveNormalization(normalization: EncoderNormalization = {}, channels: number): Required<EncoderNormalization> {
  const { valueRange = [0, 1], mean = new Array<number>(channels).fill(0), std = new Array<number>(channels).fill(1) } = normalization;
  if (valueRange.length !== 2 || !valueRange.every(Number.isFinite) || valueRange[0] === valueRange[1]) {
    throw new InvalidArgumentError({ argument: 'normalization.valueRange', message: `must be two different finite numbers, got [${valueRange.join(', ')}]` });
  }
  for (const [argument, values] of [['normalization.mean', mean], ['normalization.std', std]] as const) {
    if (values.length !== channels || !values.every(Number.isFinite) || (argument === 'normalization.std' && values.some((value) => value <= 0))) {
      throw new InvalidArgumentError({ argument, message: `must hold ${channels} finite numbers (std > 0), got [${values.join(', ')}]` });
    }
  }
  return { valueRange: [valueRange[0], valueRange[1]], mean: [...mean], std: [...std] };
}

function describeValues(metadata: readonly InferenceSession.ValueMetadata[]): OnnxValueDescription[] {
  return metadata.map((value) =>
    value.isTensor ? { name: value.name, type: value.type, shape: [...value.shape] } : { name: value.name, type: 'non-tensor', shape: undefined },
  );
}

function describe(value: OnnxValueDescription): string {
  return `${value.type} ${value.shape ? `[${value.shape.map((size) => (typeof size === 'number' ? size : size || '?')).join(', ')}]` : '(shape unknown)'}`;
}

function resolveInput(inputs: readonly OnnxValueDescription[], inputName: string | undefined, modelName: string): OnnxValueDescription {
  const listed = inputs.map((value) => `'${value.name}' ${describe(value)}`).join(', ');
  if (inputName === undefined && inputs.length !== 1) {
    throw new OnnxModelMismatchError({
      modelName,
      tensorName: inputs.map((value) => value.name).join(', ') || '(no inputs)',
      expected: 'exactly one input, or inputName naming the image input',
      actual: `${inputs.length} inputs (${listed})`,
    });
  }
  const input = inputs.find((value) => value.name === (inputName ?? inputs[0]?.name));
  if (!input) {
    throw new OnnxModelMismatchError({ modelName, tensorName: String(inputName), expected: 'an input of that name', actual: `inputs ${listed}` });
  }
  const others = inputs.filter((value) => value !== input);
  if (others.length > 0) {
    throw new OnnxModelMismatchError({
      modelName,
      tensorName: others[0]?.name ?? '',
      expected: 'no input besides the image input (an encoder reads images only)',
      actual: `other inputs ${others.map((value) => `'${value.name}' ${describe(value)}`).join(', ')}`,
    });
  }
  return input;
}

function checkInput(
  input: OnnxValueDescription,
  layout: EncoderInputLayout,
  channels: number,
  declared: OnnxUnderstandingEncoderOptions['inputSize'],
  modelName: string,
): { inputSize: { height: number; width: number }; fixedBatchSize: number | null } {
  const layoutText = layout === 'nchw' ? `[batch, ${channels}, height, width]` : `[batch, height, width, ${channels}]`;
  const mismatch = (expected: string) => new OnnxModelMismatchError({ modelName, tensorName: input.name, expected, actual: describe(input) });
  if (input.type !== 'float32') throw mismatch(`a float32 image input ${layoutText}`);
  const shape = input.shape ?? [];
  if (shape.length !== 4) throw mismatch(`a rank-4 image input ${layoutText} (inputLayout '${layout}')`);
  const [batch, first, second, third] = shape as [number | string, number | string, number | string, number | string];
  const [channelDimension, heightDimension, widthDimension] = layout === 'nchw' ? [first, second, third] : [third, first, second];
  if (typeof channelDimension === 'number' && channelDimension !== channels) {
    throw mismatch(`${channels} channels at axis ${layout === 'nchw' ? 1 : 3} ${layoutText} (check inputLayout and channels)`);
  }
  let inputSize: { height: number; width: number };
  if (declared !== undefined) {
    inputSize = typeof declared === 'number' ? { height: declared, width: declared } : { height: declared.height, width: declared.width };
    assertPositiveInteger(inputSize.height, 'inputSize.height');
    assertPositiveInteger(inputSize.width, 'inputSize.width');
    if ((typeof heightDimension === 'number' && heightDimension !== inputSize.height) || (typeof widthDimension === 'number' && widthDimension !== inputSize.width)) {
      throw mismatch(`height ${inputSize.height} and width ${inputSize.width} (the declared inputSize)`);
    }
  } else if (typeof heightDimension === 'number' && typeof widthDimension === 'number') {
    inputSize = { height: heightDimension, width: widthDimension };
  } else {
    throw new InvalidArgumentError({
      argument: 'inputSize',
      message: `is required: input '${input.name}' of ONNX model '${modelName}' has symbolic height/width (${describe(input)})`,
    });
  }
  return { inputSize, fixedBatchSize: typeof batch === 'number' && batch > 0 ? batch : null };
}

function resolveOutput(outputs: readonly OnnxValueDescription[], selection: EncoderOutputSelection, modelName: string): string {
  const rank = outputRankOf[selection.type];
  const listed = outputs.map((value) => `'${value.name}' ${describe(value)}`).join(', ');
  if (selection.name !== undefined) {
    const output = outputs.find((value) => value.name === selection.name);
    if (!output) throw new OnnxModelMismatchError({ modelName, tensorName: selection.name, expected: 'an output of that name', actual: `outputs ${listed}` });
    if (output.shape === undefined && output.type === 'float32') return output.name; // an exposed intermediate value: checked when run
    if (output.type !== 'float32' || output.shape?.length !== rank) {
      throw new OnnxModelMismatchError({
        modelName,
        tensorName: output.name,
        expected: `a float32 ${selection.type} output ${outputLayoutOf[selection.type]}`,
        actual: describe(output),
        hint: 'The model is not an encoder of this kind; choose another output or output.type',
      });
    }
    return output.name;
  }
  const candidate = outputs.find((value) => value.type === 'float32' && value.shape?.length === rank);
  if (!candidate) {
    throw new OnnxModelMismatchError({
      modelName,
      tensorName: outputs.map((value) => value.name).join(', ') || '(no outputs)',
      expected: `a float32 ${selection.type} output ${outputLayoutOf[selection.type]} (the model is not an encoder)`,
      actual: `outputs ${listed}`,
    });
  }
  return candidate.name;
}
